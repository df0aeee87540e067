// `npm run bench`: every figure of bench/RESULTS.md, each beside its goal. `npm run bench -- <part>...`
// runs only the parts named: `synth` (packs the package; needs `npm run build` first), and, on
// DynamoDB Local (started here), `commands`, `projector`, `reads`, `http`. The machine may be shared:
// times are shown as ratios against a baseline measured in the same run, interleaved.
import * as os from 'node:os';
import { benchCommandCosts } from './bench-commands';
import { benchHttp } from './bench-http';
import { benchProjector } from './bench-projector';
import { benchReads } from './bench-reads';
import { benchSynth } from './bench-synth';
import { startDynamoDbLocal, stopDynamoDbLocal } from '../test/helpers/shared-dynamodb-local';

const PARTS = { synth: 'synth', commands: 'dynamodb', projector: 'dynamodb', reads: 'dynamodb', http: 'dynamodb' } as const;
type Part = keyof typeof PARTS;

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((part) => !(part in PARTS));
  if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')}: the parts are ${Object.keys(PARTS).join(', ')}`);
  const parts = (asked.length > 0 ? asked : Object.keys(PARTS)) as Part[];
  console.log(`Node.js ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (parts.includes('synth')) benchSynth(Number(process.env.BENCH_ROUNDS ?? 3));
  if (!parts.some((part) => PARTS[part] === 'dynamodb')) return;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log('Starting DynamoDB Local ...');
  const local = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  try {
    if (parts.includes('commands')) await benchCommandCosts();
    if (parts.includes('projector')) await benchProjector();
    if (parts.includes('reads')) await benchReads();
    if (parts.includes('http')) await benchHttp();
  } finally {
    await stopDynamoDbLocal(local);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
