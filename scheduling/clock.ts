/**
 * The schedule clock: the time a plan is written in. By default it is the wall clock. For a
 * rehearsal it starts at a chosen plan time and runs `speed` times faster, so a week of
 * slots can be watched in minutes against the demo platform: the planner, the pacer and
 * the bulk page all work in plan time; only the durable timers are shortened by the speed.
 * Configured by SCHEDULE_CLOCK_SPEED, SCHEDULE_CLOCK_START and SCHEDULE_CLOCK_ORIGIN.
 */
export interface ScheduleClockSettings {
  /** Plan seconds per real second (1: the wall clock). */
  speed: number;
  /** The plan time at `origin` (ms); with speed 1 and no start, plan time is real time. */
  start?: number;
  /** The real time (ms) at which plan time was `start`. */
  origin?: number;
}

/** Converts between real (wall-clock) and plan time. */
export interface ScheduleClock {
  readonly speed: number;
  /** True for the wall clock itself. */
  readonly isWallClock: boolean;
  toPlan(realMs: number): number;
  toReal(planMs: number): number;
  /** The plan time now. */
  now(): number;
}

/** The clock for these settings. */
export function scheduleClock(settings: ScheduleClockSettings): ScheduleClock {
  const speed = settings.speed;
  const origin = settings.origin ?? 0;
  const start = settings.start ?? origin;
  const isWallClock = speed === 1 && start === origin;
  return {
    speed,
    isWallClock,
    toPlan: (realMs) => start + (realMs - origin) * speed,
    toReal: (planMs) => origin + (planMs - start) / speed,
    now() {
      return this.toPlan(Date.now());
    },
  };
}
