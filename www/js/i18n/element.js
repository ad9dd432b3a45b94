// Strings of the <cnn-playground> element (www/js/element.js): its notices name attributes, not URL parameters.
// Both languages have the same keys (tests/e2e/state.test.mjs); www/js/i18n/index.js assembles every part's strings.

export default {
  en: {
    'element.notice.invalid': 'Attribute “{param}” = “{value}” was ignored ({reason}); using the default “{fallback}”.',
    'element.notice.unknown': 'Unknown attribute “{param}” was ignored.',
    'element.notice.duplicate': 'Attribute “{param}” is given {count} times; the last valid one counts.',
    'element.notice.hash_too_long': 'The element’s settings are {length} characters long, more than the {max} read; all of them were ignored and the defaults are used.',
  },
  ko: {
    'element.notice.invalid': '속성 “{param}” = “{value}” 값을 무시했습니다 ({reason}). 기본값 “{fallback}” 값을 사용합니다.',
    'element.notice.unknown': '알 수 없는 속성 “{param}” 값을 무시했습니다.',
    'element.notice.duplicate': '속성 “{param}” 값이 {count}번 나옵니다. 마지막의 올바른 값을 사용합니다.',
    'element.notice.hash_too_long': '요소의 설정이 {length}자로, 읽는 한도 {max}자보다 깁니다. 모두 무시하고 기본값을 사용합니다.',
  },
};
