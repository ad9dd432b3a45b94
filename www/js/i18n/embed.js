// Strings of embedding and of the page's aids for phones and assistive technology (www/js/shell/embedding.js, the skip
// link, the nav's short names), in English and Korean.

export default {
  en: {
    'app.skip': 'Skip to the panel',
    'panel.short.init': 'Init',
    'panel.short.signal': 'Signals',
    'panel.short.augment': 'Augment',
    'panel.short.train': 'Train',
    'panel.short.notes': 'Notes',
    'tools.embed': 'Embed',
    'tools.link': 'Link to this view',
    'embed.settings': 'Settings',
    'embed.more': 'Tables, code and notes',
    'embed.help': 'Paste this into a web page: the iframe shows this view with its settings as they are now, chart first; the script is optional and sizes the iframe to its content.',
    'embed.snippet': 'HTML to paste',
    'embed.link': 'Plain link',
    'embed.copied': 'Snippet copied',
    'embed.copy_refused': 'Copying is not allowed here: the text is selected, press Ctrl+C (⌘C on a Mac) to copy it.',
  },
  ko: {
    'app.skip': '패널로 건너뛰기',
    'panel.short.init': '초기화',
    'panel.short.signal': '신호',
    'panel.short.augment': '증강',
    'panel.short.train': '학습',
    'panel.short.notes': '노트',
    'tools.embed': '임베드',
    'tools.link': '이 화면의 링크',
    'embed.settings': '설정',
    'embed.more': '표, 코드, 설명',
    'embed.help': '웹 페이지에 붙여 넣으세요. iframe은 지금 설정 그대로 이 화면을 보여 주며 차트가 먼저 나옵니다. 스크립트는 선택 사항이며 iframe의 높이를 내용에 맞춥니다.',
    'embed.snippet': '붙여 넣을 HTML',
    'embed.link': '일반 링크',
    'embed.copied': '코드를 복사했습니다',
    'embed.copy_refused': '여기서는 복사가 허용되지 않습니다. 선택된 텍스트를 Ctrl+C(Mac은 ⌘C)로 복사하세요.',
  },
};
