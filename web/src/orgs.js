// Helpers shared by the org pages.
export const FLAG_KEYS = ['rural', 'boarding', 'standardised', 'canteen', 'party_branch'];
export const STAGE_KEYS = [
  'kindergarten',
  'primary',
  'nine_year',
  'junior',
  'complete_secondary',
  'senior',
  'vocational',
  'special',
];
export const COUNT_KEYS = ['townships', 'schools', 'classes', 'students', 'staff'];

export function stageLabel(t, te, stage) {
  if (!stage) return '';
  return te('stages.' + stage) ? t('stages.' + stage) : stage;
}

export function kindLabel(t, te, kind) {
  if (!kind) return '';
  return te('kinds.' + kind) ? t('kinds.' + kind) : kind;
}

// Ancestors as root-first list (the API documents them root-first; tolerate leaf-first too).
export function ancestorsRootFirst(org) {
  const list = Array.isArray(org && org.ancestors) ? org.ancestors.slice() : [];
  if (list.length > 1 && org.parent_id != null) {
    const first = String(list[0].id);
    const last = String(list[list.length - 1].id);
    if (first === String(org.parent_id) && last !== String(org.parent_id)) list.reverse();
  }
  return list;
}

// The path from the user's own org down to `org` (inclusive), or null when `org` is outside the
// user's subtree. The UI never links above the user's org.
export function scopedPath(org, myOrgId) {
  if ((!Array.isArray(org.ancestors) || !org.ancestors.length) && typeof org.path === 'string' && org.path) {
    // No ancestors sent: the materialised path ("/1/4/37/") still tells whether org is in scope.
    if (String(org.id) === String(myOrgId)) return [{ id: org.id, name: org.name, kind: org.kind }];
    return org.path.split('/').includes(String(myOrgId)) ? [{ id: org.id, name: org.name, kind: org.kind }] : null;
  }
  const chain = [...ancestorsRootFirst(org), { id: org.id, name: org.name, kind: org.kind }];
  const i = chain.findIndex((a) => String(a.id) === String(myOrgId));
  return i < 0 ? null : chain.slice(i);
}

// A township's own name: its org is its central school (东坪镇中心学校 → 东坪镇).
export function townshipName(org) {
  const name = String((org && org.name) || '');
  const short = name.replace(/(中心学校|中心校|中学校)$/, '');
  return short && short !== name ? short : name;
}

export function formatNumber(n) {
  if (n === undefined || n === null || n === '') return '—';
  return typeof n === 'number' ? n.toLocaleString('en-US') : String(n);
}
