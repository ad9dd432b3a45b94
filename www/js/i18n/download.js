// Strings of the downloads every view offers (www/js/ui/figure-download.js, www/js/ui/script-download.js). A chart
// button's name starts with its visible text (SVG, PNG), as WCAG 2.5.3 asks.

export default {
  en: {
    'download.svg.label': 'SVG: download this chart as a vector file, with its text',
    'download.png.label': 'PNG: download this chart at twice the pixels on screen',
    'download.script': 'As a PyTorch script',
  },
  ko: {
    'download.svg.label': 'SVG: 이 차트를 글자가 살아 있는 벡터 파일로 내려받기',
    'download.png.label': 'PNG: 이 차트를 화면 픽셀의 2배 크기로 내려받기',
    'download.script': 'PyTorch 스크립트로 내려받기',
  },
};
