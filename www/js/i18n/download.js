// Strings of the downloads every view offers (www/js/ui/figure-download.js, www/js/ui/script-download.js).

export default {
  en: {
    'download.svg.label': 'Download this chart as SVG (vector, with its text)',
    'download.png.label': 'Download this chart as PNG (twice the pixels on screen)',
    'download.script': 'As a PyTorch script',
  },
  ko: {
    'download.svg.label': '이 차트를 SVG로 내려받기 (벡터, 글자 포함)',
    'download.png.label': '이 차트를 PNG로 내려받기 (화면 픽셀의 2배)',
    'download.script': 'PyTorch 스크립트로 내려받기',
  },
};
