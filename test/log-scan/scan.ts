// What counts as a secret in a log line: Latch's own self-identifying secrets, JWTs, SAS
// signatures, Basic credentials, the SAS / Central keys as JSON fields, and the test suite's fixed
// passwords — in text, and inside any array of byte values (the form a raw packet would take).

const PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'API-key secret', re: /latch_ak_[0-9A-Za-z]{40,}/ },
  { name: 'refresh token', re: /latch_rt_[0-9A-Za-z]{40,}/ },
  { name: 'access token (JWT)', re: /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/ },
  { name: 'SAS signature', re: /sig=[A-Za-z0-9%+/=]{20,}/ },
  { name: 'Basic credential', re: /Basic [A-Za-z0-9+/]{8,}={0,2}/ },
  {
    name: 'SAS / Central key',
    re: /"(?:primaryKey|secondaryKey|primary_key|secondary_key|key)":"(?!\[redacted\])[A-Za-z0-9+/]{40,}={0,2}"/,
  },
  { name: 'test password', re: /admin-password-1|cluster-password|bench-admin-password|correct-horse|s3cret-password/ },
];

/** Every run of ≥ 16 comma-separated integers 0–255, decoded as bytes (latin1). */
function byteRuns(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/\[(\d{1,3}(?:,\d{1,3}){15,})\]/g)) {
    const bytes = m[1]!.split(',').map(Number);
    if (bytes.every((b) => b <= 255)) out.push(Buffer.from(bytes).toString('latin1'));
  }
  return out;
}

export interface Finding {
  what: string;
  where: string;
  excerpt: string;
}

/** The secrets found in one log line (the excerpt is masked, so a report leaks nothing either). */
export function scanLine(line: string, where: string): Finding[] {
  const found: Finding[] = [];
  for (const [text, form] of [[line, 'text'] as const, ...byteRuns(line).map((b) => [b, 'bytes'] as const)]) {
    for (const p of PATTERNS) {
      const m = p.re.exec(text);
      if (m) found.push({ what: `${p.name} (${form})`, where, excerpt: `${m[0].slice(0, 12)}…` });
    }
  }
  return found;
}
