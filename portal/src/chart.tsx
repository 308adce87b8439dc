// A uPlot chart (time series or bars) with a text alternative: the same
// figures are always in a table beside it.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { ZONE } from "./i18n";

export function Chart({
  label,
  xs,
  ys,
  bars = false,
  unit,
}: {
  label: string;
  xs: number[]; // seconds since epoch
  ys: (number | null)[];
  bars?: boolean;
  unit: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(300, el.clientWidth || 600);
    const plot = new uPlot(
      {
        width,
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), ZONE),
        legend: { show: false },
        cursor: { show: true },
        scales: { x: { time: true } },
        axes: [{}, { label: unit, size: 70 }],
        series: [
          {},
          {
            label,
            stroke: "#1f5fa8",
            fill: bars ? "rgba(31,95,168,0.35)" : "rgba(31,95,168,0.08)",
            width: 2,
            paths: bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined,
            points: { show: false },
          },
        ],
      },
      [xs, ys],
      el,
    );
    return () => plot.destroy();
  }, [xs, ys, bars, label, unit]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
