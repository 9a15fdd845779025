// True on a phone-sized screen (≤ 767 px): the layout folds its side menu, forms put labels on top.
import { ref, onMounted, onBeforeUnmount } from 'vue';

const QUERY = '(max-width: 767px)';

export function useNarrow() {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(QUERY) : null;
  const narrow = ref(!!(mq && mq.matches));
  const onChange = (e) => (narrow.value = e.matches);
  onMounted(() => mq && mq.addEventListener('change', onChange));
  onBeforeUnmount(() => mq && mq.removeEventListener('change', onChange));
  return narrow;
}
