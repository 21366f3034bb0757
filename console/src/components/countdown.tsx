// An expiry counting down each second ("never" when there is none).
import { useEffect, useState } from "preact/hooks";
import { formatDuration, formatTime } from "../format";

export function Countdown(props: { until: string | null }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!props.until) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [props.until]);
  if (!props.until) return <span class="muted">never</span>;
  const left = (Date.parse(props.until) - now) / 1000;
  return (
    <time dateTime={props.until} title={formatTime(props.until)} class="countdown">
      {left > 0 ? `in ${formatDuration(left)}` : "expired"}
    </time>
  );
}
