#!/usr/bin/env node
// Entry point of the `contra` command: loads the TypeScript sources through tsx and hands
// over to the CLI composition root.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/interfaces/cli/main.ts');
await main(process.argv);
