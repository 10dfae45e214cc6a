/**
 * The store writer and exporter as the public entry exports them: stand-ins (see `lazyClass`)
 * that load the writer, its spool and the store code with their first use.
 */
import { lazyClass, lazyOwnModule } from '../setup/load-own.js';

const writer = lazyOwnModule(new URL('./usage-writer.js', import.meta.url), () => import('./usage-writer.js'));
const exporter = lazyOwnModule(new URL('./usage-span-exporter.js', import.meta.url), () => import('./usage-span-exporter.js'));

export const UsageWriter = lazyClass(() => writer().UsageWriter);
export type UsageWriter = import('./usage-writer.js').UsageWriter;
export const UsageSpanExporter = lazyClass(() => exporter().UsageSpanExporter);
export type UsageSpanExporter = import('./usage-span-exporter.js').UsageSpanExporter;
