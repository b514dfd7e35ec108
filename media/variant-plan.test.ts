import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planVariant, type PlanSource } from './variant-plan';

const source: PlanSource = { width: 1080, height: 1920, fps: 30, hasAudio: true, audioSampleRate: 48_000 };

describe('planVariant', () => {
  it('plans the same transforms for the same seed', () => {
    assert.deepEqual(planVariant({ seed: 'task/acc-1/v1', preset: 'balanced', source }), planVariant({ seed: 'task/acc-1/v1', preset: 'balanced', source }));
  });

  it('plans different transforms for different seeds', () => {
    const a = planVariant({ seed: 'task/acc-1/v1', preset: 'balanced', source });
    const b = planVariant({ seed: 'task/acc-2/v1', preset: 'balanced', source });
    assert.notDeepEqual(a.applied, b.applied);
    assert.notDeepEqual(a.outputOptions, b.outputOptions);
  });

  it('applies more transforms with stronger presets, keeping the shared ones identical', () => {
    const fast = planVariant({ seed: 's', preset: 'fast', source });
    const balanced = planVariant({ seed: 's', preset: 'balanced', source });
    const strong = planVariant({ seed: 's', preset: 'strong', source });
    assert.ok(fast.applied.length < balanced.applied.length && balanced.applied.length < strong.applied.length);
    assert.equal(fast.applied[0], strong.applied[0], 'the crop does not depend on the preset');
    assert.ok(strong.applied.some((t) => t.startsWith('pitch')));
    assert.ok(strong.outputOptions.includes('medium') && fast.outputOptions.includes('veryfast'));
  });

  it('crops a few pixels and scales back to the source size', () => {
    const plan = planVariant({ seed: 's', preset: 'fast', source });
    assert.match(plan.applied[0] ?? '', /^crop (\dpx (left|right|top|bottom)\/?)+, scaled back to 1080x1920$/);
    assert.ok(plan.videoFilters.includes('scale=1080:1920:flags=bicubic'));
  });

  it('keeps dimensions even and leaves audio alone when there is none', () => {
    const plan = planVariant({ seed: 's', preset: 'strong', source: { width: 321, height: 241, fps: 25, hasAudio: false } });
    assert.deepEqual([plan.width, plan.height], [320, 240]);
    assert.deepEqual(plan.audioFilters, []);
    assert.ok(!plan.outputOptions.includes('0:a:0'));
  });
});
