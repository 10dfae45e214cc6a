import { ROOT_CONTEXT } from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { isTracingSuppressed, suppressTracing } from '../../src/context/suppress-tracing.js';

describe('tracing suppression, without loading @opentelemetry/core', () => {
  it('marks and reads exactly what core does, both ways', () => {
    expect(core.isTracingSuppressed(suppressTracing(ROOT_CONTEXT))).toBe(true);
    expect(isTracingSuppressed(core.suppressTracing(ROOT_CONTEXT))).toBe(true);
    expect(isTracingSuppressed(ROOT_CONTEXT)).toBe(false);
    expect(isTracingSuppressed(core.unsuppressTracing(suppressTracing(ROOT_CONTEXT)))).toBe(false);
  });

  it('the exporter result codes are core’s', () => {
    expect(core.ExportResultCode.SUCCESS).toBe(0);
    expect(core.ExportResultCode.FAILED).toBe(1);
  });
});
