// npm run schema: write schema/scenario.schema.json from the models' option tables.
import { writeFileSync } from 'node:fs';
import { scenarioSchema } from '../src/scenario/schema.ts';

writeFileSync(new URL('../schema/scenario.schema.json', import.meta.url), JSON.stringify(scenarioSchema(), null, 2) + '\n');
