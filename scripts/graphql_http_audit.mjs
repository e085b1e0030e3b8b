// Runs the graphql-http audit suite against a GraphQL endpoint and prints the counts.
// Usage: node graphql_http_audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const counts = { ok: 0, must: 0, should: 0, may: 0 };
for (const result of results) {
  if (result.status === 'ok') {
    counts.ok += 1;
    continue;
  }
  const level = result.name.split(' ')[0];
  if (level === 'MUST') counts.must += 1;
  else if (level === 'SHOULD') counts.should += 1;
  else counts.may += 1;
  console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
}
console.log(
  `graphql-http audit: ${counts.ok} ok, ${counts.must} MUST failures, ` +
    `${counts.should} SHOULD failures, ${counts.may} MAY notices`,
);
process.exit(counts.must + counts.should > 0 ? 1 : 0);
