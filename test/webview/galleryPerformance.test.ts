/**
 * The gallery at 100,000 results: time to the first thumbnails, and scrolling from the top to the
 * bottom (wheel steps, then a scrollbar drag of one jump per frame) with at most a few hundred cells
 * in the DOM, no long task (> 50 ms, seen by a PerformanceObserver) and no storm of page requests.
 * Long tasks are wall-clock time; each pass is also traced for the CPU time of the renderer's tasks,
 * so that on a busy machine a descheduled short task is told apart from 50 ms of work.
 *
 * And at 3,000 results, fast flings (a touchpad's momentum: a fast start slowing down over 90 frames): the longest main-thread tasks while flinging, and how long the cells in view stay blank
 * once it stops (until each shows its name, caption and thumbnail). These are printed as figures,
 * not asserted: they are wall-clock times on a shared machine.
 */
import assert from 'node:assert/strict';
import type { Database } from 'better-sqlite3';
import { availableParallelism, loadavg } from 'node:os';
import type { CDPSession } from 'playwright-core';
import { searchImages } from '../../src/core/index/search.ts';
import { removeTempDirs } from '../helpers/tempDir.ts';
import { GalleryBrowser } from './support/galleryPage.ts';
import type { GalleryPage } from './support/galleryPage.ts';
import { syntheticDatabase } from './support/syntheticDb.ts';

const COUNT = 100_000;

interface Probe {
  longTasks: { start: number; duration: number }[];
  firstResults: number | null;
  firstThumbnail: number | null;
}

/** Runs in the page before its scripts: records long tasks and when the first results and thumbnails show. */
function installProbe(): void {
  const probe: Probe = { longTasks: [], firstResults: null, firstThumbnail: null };
  (window as unknown as { tbProbe: Probe }).tbProbe = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const tick = (): void => {
    const grid = document.querySelector('tb-gallery')?.shadowRoot?.querySelector('tb-virtual-grid')?.shadowRoot;
    if (probe.firstResults === null && grid?.querySelector('[role=gridcell][aria-busy=false]'))
      probe.firstResults = performance.now();
    if ([...(grid?.querySelectorAll('img') ?? [])].some((img) => img.complete && img.naturalWidth > 0)) {
      probe.firstThumbnail = performance.now();
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

describe('gallery webview at 100,000 results', function () {
  this.timeout(300_000);
  let browser: GalleryBrowser;
  let db: Database;
  let gallery: GalleryPage | undefined;

  before(async function () {
    this.timeout(180_000);
    db = syntheticDatabase(COUNT);
    browser = await GalleryBrowser.launch();
  });

  after(async () => {
    await gallery?.close();
    await browser?.close();
    db?.close();
    removeTempDirs();
  });

  it('paints quickly and scrolls top to bottom with few cells, no long task and no fetch storm', async () => {
    const savedState = {
      dataset: 'synthetic',
      query: '',
      selected: [],
      scrollTop: 0,
      selection: { kind: 'ids', ids: [] },
      focusIndex: 0,
      cellSize: 96,
      detailsOpen: true,
      tagsOpen: true,
    };
    const g = (gallery = await browser.open(db, { savedState, initScript: installProbe, width: 1280, height: 900 }));
    await g.page.waitForFunction(() => (window as unknown as { tbProbe: Probe }).tbProbe.firstThumbnail !== null);
    assert.equal(await g.countText(), '100,000 images');
    const loaded = await g.page.evaluate(() => (window as unknown as { tbProbe: Probe }).tbProbe);

    // A long task is wall-clock time: on a busy machine (other processes on the same cores) the
    // renderer can be descheduled in the middle of a short task. So a pass is tried up to three
    // times, and each is also traced to know the CPU time of the renderer's main-thread tasks.
    const attempts: {
      longTasks: number[];
      maxTaskCpu: number;
      maxTaskWall: number;
      maxCells: number;
      maxFrame: number;
      requests: number;
      ms: number;
    }[] = [];
    const lastItem = searchImages(db, '', { offset: COUNT - 1, limit: 1 }).items[0]!;
    const lastName = lastItem.path.slice(lastItem.path.lastIndexOf('/') + 1);
    let scroll = { columns: 0, height: 0 };
    const cdp = await g.page.context().newCDPSession(g.page);
    for (let attempt = 0; attempt < 3; attempt++) {
      const requestsBefore = g.host.callsOf('search').length;
      const trace = await startTrace(cdp);
      const pass = await g.page.evaluate(scrollTopToBottom);
      const tasks = await trace.stop();
      scroll = pass;
      await g.page.waitForFunction((name) => {
        const root = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!.shadowRoot!;
        const cell = root.querySelector(`#cell-${100_000 - 1}`);
        const img = cell?.querySelector('img');
        return (
          cell?.getAttribute('aria-label') === name &&
          img !== null &&
          img !== undefined &&
          img.complete &&
          img.naturalWidth > 0
        );
      }, lastName);
      const probe = await g.page.evaluate(() => (window as unknown as { tbProbe: Probe }).tbProbe);
      const during = probe.longTasks
        .filter((t) => t.start >= pass.start && t.start <= pass.end)
        .map((t) => Math.round(t.duration));
      attempts.push({
        longTasks: during,
        maxTaskCpu: Math.max(0, ...tasks.map((t) => t.cpu)),
        maxTaskWall: Math.max(0, ...tasks.map((t) => t.wall)),
        maxCells: pass.maxCells,
        maxFrame: pass.maxFrame,
        requests: g.host.callsOf('search').length - requestsBefore,
        ms: pass.end - pass.start,
      });
      if (during.length === 0) break;
    }
    const settled = await g.page.evaluate(() => ({
      probe: (window as unknown as { tbProbe: Probe }).tbProbe,
      cells: document
        .querySelector('tb-gallery')!
        .shadowRoot!.querySelector('tb-virtual-grid')!
        .shadowRoot!.querySelectorAll('[role=gridcell]').length,
      pagesHeld: (document.querySelector('tb-gallery') as unknown as { pages: { pagesHeld: number } }).pages.pagesHeld,
    }));
    const best = attempts.at(-1)!;
    const atLoad = settled.probe.longTasks.filter((t) => t.start < (loaded.firstThumbnail ?? 0));
    console.log(
      `      first results ${loaded.firstResults?.toFixed(0)} ms, first thumbnails ${loaded.firstThumbnail?.toFixed(0)} ms after navigation start`,
    );
    console.log(
      `      ${scroll.columns} columns, ${scroll.height.toLocaleString('en-US')} px tall; long tasks at load: ${atLoad.map((t) => `${t.duration.toFixed(0)} ms`).join(', ') || 'none'}`,
    );
    for (const [i, a] of attempts.entries()) {
      console.log(
        `      pass ${i + 1}: ${a.ms.toFixed(0)} ms, long tasks while scrolling: ${a.longTasks.length ? a.longTasks.map((d) => `${d} ms`).join(', ') : 'none'}; ` +
          `longest main-thread task ${a.maxTaskWall.toFixed(1)} ms (CPU ${a.maxTaskCpu.toFixed(1)} ms); ` +
          `max ${a.maxCells} cells in the DOM (${settled.cells} at rest), longest frame ${a.maxFrame.toFixed(1)} ms, ${a.requests} page requests`,
      );
    }
    console.log(`      ${settled.pagesHeld} pages held at the end`);

    if (best.longTasks.length > 0) {
      // Every pass met a long task: acceptable only if no task did 50 ms of work (the machine was busy).
      console.log(
        `      every pass met long tasks (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores); checking their CPU time`,
      );
      assert.ok(
        best.maxTaskCpu < 50,
        `a main-thread task took ${best.maxTaskCpu.toFixed(1)} ms of CPU while scrolling`,
      );
    }
    assert.ok(Math.max(...attempts.map((a) => a.maxCells)) <= 400, 'a few hundred cells at most');
    assert.ok(
      attempts.every((a) => a.requests <= 12),
      'no fetch storm',
    );
    assert.ok(settled.pagesHeld <= 30, `${settled.pagesHeld} pages held`);
    assert.ok(loaded.firstThumbnail !== null && loaded.firstThumbnail < 5000);
    assert.deepEqual(g.errors, []);
    assert.deepEqual(g.host.problems, []);
  });
});

/** Runs in the page: wheel-like steps from the top, then a scrollbar drag to the bottom, one jump per frame. */
async function scrollTopToBottom(): Promise<{
  start: number;
  end: number;
  maxCells: number;
  maxFrame: number;
  columns: number;
  height: number;
}> {
  const grid = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!;
  const root = grid.shadowRoot!;
  const scroller = root.querySelector<HTMLElement>('.scroller')!;
  const frame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve));
  scroller.scrollTop = 0;
  for (let i = 0; i < 20; i++) await frame();
  let maxCells = 0;
  let maxFrame = 0;
  let last = await frame();
  const step = async (): Promise<void> => {
    const now = await frame();
    maxFrame = Math.max(maxFrame, now - last);
    last = now;
    maxCells = Math.max(maxCells, root.querySelectorAll('[role=gridcell]').length);
  };
  const start = performance.now();
  for (let i = 0; i < 40; i++) {
    scroller.scrollTop += 120;
    await step();
    await step();
  }
  const max = scroller.scrollHeight - scroller.clientHeight;
  const from = scroller.scrollTop;
  const frames = 180;
  for (let i = 1; i <= frames; i++) {
    scroller.scrollTop = from + Math.round(((max - from) * i) / frames);
    await step();
  }
  return {
    start,
    end: performance.now(),
    maxCells,
    maxFrame,
    columns: (grid as unknown as { columns: number }).columns,
    height: scroller.scrollHeight,
  };
}

/** A trace of the page's renderer: stop() gives each main-thread task's wall and CPU time, in ms. */
async function startTrace(cdp: CDPSession): Promise<{ stop(): Promise<{ wall: number; cpu: number }[]> }> {
  const events: TraceEvent[] = [];
  const collect = (e: { value: unknown[] }): void => void events.push(...(e.value as unknown as TraceEvent[]));
  cdp.on('Tracing.dataCollected', collect);
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', '__metadata'] } });
  return {
    async stop() {
      const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await complete;
      cdp.off('Tracing.dataCollected', collect);
      const mains = new Set(
        events
          .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      );
      return events
        .filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`))
        .map((e) => ({ wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? e.dur ?? 0) / 1000 }));
    },
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

describe('gallery webview flinging through 3,000 results', function () {
  this.timeout(180_000);
  let browser: GalleryBrowser;
  let db: Database;
  let gallery: GalleryPage | undefined;

  before(async function () {
    this.timeout(180_000);
    db = syntheticDatabase(3000);
    browser = await GalleryBrowser.launch();
  });

  after(async () => {
    await gallery?.close();
    await browser?.close();
    db?.close();
    removeTempDirs();
  });

  it('fills the cells in view soon after a fast fling; prints the long tasks and the time the cells stay blank', async () => {
    const g = (gallery = await browser.open(db, { initScript: installProbe, width: 1280, height: 900 }));
    await g.waitForThumbnails();
    const cdp = await g.page.context().newCDPSession(g.page);
    const flings: Fling[] = [];
    for (const direction of [1, 1, -1, 1, -1]) {
      const trace = await startTrace(cdp);
      const fling = await g.page.evaluate(flingOnce, direction);
      const tasks = await trace.stop();
      fling.maxTaskCpu = Math.max(0, ...tasks.map((t) => t.cpu));
      fling.maxTaskWall = Math.max(0, ...tasks.map((t) => t.wall));
      fling.totalCpu = tasks.reduce((sum, t) => sum + t.cpu, 0);
      fling.over16Cpu = tasks.filter((t) => t.cpu > 16).length;
      flings.push(fling);
    }
    for (const [i, f] of flings.entries()) {
      console.log(
        `      fling ${i + 1} (${f.direction > 0 ? 'down' : 'up'}, ${f.distance.toLocaleString('en-US')} px in ${f.ms.toFixed(0)} ms): ` +
          `long tasks ${f.longTasks.length ? f.longTasks.map((d) => `${d} ms`).join(', ') : 'none'}; longest main-thread task ${f.maxTaskWall.toFixed(1)} ms ` +
          `(CPU ${f.maxTaskCpu.toFixed(1)} ms; ${f.over16Cpu} tasks over 16 ms of CPU, ${f.totalCpu.toFixed(0)} ms of main-thread CPU in all), ` +
          `longest frame ${f.maxFrame.toFixed(1)} ms; cells in view blank for ${f.blankMs.toFixed(0)} ms after it stopped ` +
          `(${f.cells} cells)`,
      );
    }
    const blank = flings.map((f) => f.blankMs).sort((a, b) => a - b);
    console.log(
      `      after a fling the cells in view were blank for ${blank[Math.floor(blank.length / 2)]!.toFixed(0)} ms (median of ${blank.length}), ` +
        `${blank.at(-1)!.toFixed(0)} ms at most; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
    );
    assert.ok(
      flings.every((f) => f.cells > 0 && f.cells <= 400),
      'a few hundred cells at most, and every one filled',
    );
    assert.deepEqual(g.errors, []);
    assert.deepEqual(g.host.problems, []);
  });
});

interface Fling {
  direction: number;
  distance: number;
  ms: number;
  maxFrame: number;
  longTasks: number[];
  /** From the last scroll until every cell in view shows its name and its loaded thumbnail. */
  blankMs: number;
  cells: number;
  maxTaskCpu: number;
  maxTaskWall: number;
  totalCpu: number;
  over16Cpu: number;
}

/** Runs in the page: one fling (a fast start slowing down, one step per frame), then waits until the cells in view are filled. */
async function flingOnce(direction: number): Promise<Fling> {
  const grid = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!;
  const root = grid.shadowRoot!;
  const scroller = root.querySelector<HTMLElement>('.scroller')!;
  const probe = (window as unknown as { tbProbe: Probe }).tbProbe;
  const frame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve));
  for (let i = 0; i < 10; i++) await frame();
  const max = scroller.scrollHeight - scroller.clientHeight;
  const from = scroller.scrollTop;
  // The same steps whatever the frame rate, so runs compare: 90 frames from 300 px down to 8 px a frame (7,300 px).
  let last = await frame();
  const start = last;
  let maxFrame = 0;
  for (let i = 0; i < 90; i++) {
    const now = await frame();
    maxFrame = Math.max(maxFrame, now - last);
    last = now;
    scroller.scrollTop = Math.max(0, Math.min(max, scroller.scrollTop + direction * Math.round(300 * 0.96 ** i)));
  }
  const stopped = performance.now();
  const inView = (): HTMLElement[] => {
    const top = scroller.getBoundingClientRect().top;
    const bottom = top + scroller.clientHeight;
    return [...root.querySelectorAll<HTMLElement>('[role=gridcell]')].filter((cell) => {
      const box = cell.getBoundingClientRect();
      return box.bottom > top && box.top < bottom;
    });
  };
  const filled = (cell: HTMLElement): boolean => {
    const img = cell.querySelector('img');
    return cell.getAttribute('aria-busy') === 'false' && img !== null && img.complete && img.naturalWidth > 0;
  };
  let cells = inView();
  while (cells.length === 0 || !cells.every(filled)) {
    if (performance.now() - stopped > 30_000) break;
    await frame();
    cells = inView();
  }
  const blankMs = performance.now() - stopped;
  const longTasks = probe.longTasks
    .filter((t) => t.start >= start && t.start <= stopped)
    .map((t) => Math.round(t.duration));
  return {
    direction,
    distance: Math.abs(scroller.scrollTop - from),
    ms: stopped - start,
    maxFrame,
    longTasks,
    blankMs,
    cells: cells.length,
    maxTaskCpu: 0,
    maxTaskWall: 0,
    totalCpu: 0,
    over16Cpu: 0,
  };
}
