// Fails when src/generated/graphql.ts is not what schema.graphql and the documents give
// (STYLE.md rule 20: a drift fails CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'lakecat-codegen-'));
const scratch = join(dir, 'graphql.ts');
try {
  execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, CODEGEN_OUT: scratch },
  });
  const want = readFileSync(scratch, 'utf8');
  const have = readFileSync('src/generated/graphql.ts', 'utf8');
  if (want !== have) {
    console.error('src/generated/graphql.ts is out of date with schema.graphql: run `npm run codegen` and commit it');
    process.exit(1);
  }
  console.log('codegen:check: src/generated/graphql.ts matches schema.graphql');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
