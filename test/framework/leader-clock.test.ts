/** Replicated time never runs faster than real time by more than the catch-up rate, whatever the wall clock does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderClock } from '../../lib/framework/leader-clock.js';

function fakeClocks(wallStart: number): { wall: { ms: number }; mono: { ms: number }; clock: LeaderClock } {
  const wall = { ms: wallStart };
  const mono = { ms: 1000 };
  return { wall, mono, clock: new LeaderClock(() => wall.ms, 1, () => mono.ms) };
}

test('a brand-new cluster starts on the wall clock and then keeps real-time pace', () => {
  const { wall, mono, clock } = fakeClocks(1_000_000);
  clock.start(0);
  assert.equal(clock.now(), 1_000_000);
  mono.ms += 500;
  wall.ms += 500;
  assert.equal(clock.now(), 1_000_500);
});

test('a forward wall-clock jump moves replicated time at most 1% faster than real time', () => {
  const { wall, mono, clock } = fakeClocks(1_000_000);
  clock.start(0);
  wall.ms += 60_000; // the leader's clock jumps a minute ahead
  mono.ms += 200;
  assert.equal(clock.now(), 1_000_000 + 200 + 2);
  // Catching up continues gradually...
  for (let i = 0; i < 100; i++) {
    mono.ms += 1000;
    wall.ms += 1000;
    clock.now();
  }
  mono.ms += 1000;
  wall.ms += 1000;
  const t = clock.now();
  assert.ok(t < wall.ms, 'still behind the jumped wall clock');
  assert.equal(t, Math.floor(1_000_000 + 101_200 * 1.01));
});

test('a backward wall-clock jump neither freezes nor reverses replicated time', () => {
  const { wall, mono, clock } = fakeClocks(1_000_000);
  clock.start(0);
  wall.ms -= 30_000;
  mono.ms += 250;
  assert.equal(clock.now(), 1_000_250);
  mono.ms += 250;
  assert.equal(clock.now(), 1_000_500);
});

test('a new leader continues from the applied replicated time, even if its wall clock is far ahead or behind', () => {
  const ahead = fakeClocks(5_000_000);
  ahead.clock.start(1_000_000);
  assert.equal(ahead.clock.now(), 1_000_000);
  ahead.mono.ms += 100;
  assert.equal(ahead.clock.now(), 1_000_101);
  const behind = fakeClocks(10);
  behind.clock.start(1_000_000);
  behind.mono.ms += 100;
  assert.equal(behind.clock.now(), 1_000_100);
});

test('with catch-up 0 replicated time keeps strictly to the pace of real time', () => {
  const wall = { ms: 1_000_000 };
  const mono = { ms: 0 };
  const clock = new LeaderClock(() => wall.ms, 0, () => mono.ms);
  clock.start(500_000);
  wall.ms += 99_999;
  mono.ms += 1000;
  assert.equal(clock.now(), 501_000);
});
