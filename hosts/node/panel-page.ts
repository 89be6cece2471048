// The panel web page: the LED matrix drawn as round LEDs with dark gaps, fed by server-sent events,
// and a control strip that sends the website's real commands through the demo service.

export const PANEL_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Makapix player — virtual panel</title>
<style>
  body { margin: 0; background: #1b1b1f; color: #ddd; font: 14px system-ui, sans-serif; display: flex; flex-direction: column; align-items: center; }
  h1 { font-size: 16px; font-weight: 600; margin: 16px 0 8px; }
  #bezel { background: #050505; padding: 14px; border-radius: 6px; box-shadow: 0 0 0 2px #333, 0 8px 30px #000; }
  canvas { display: block; image-rendering: pixelated; }
  #controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: center; margin: 14px; max-width: 760px; }
  button, select, input { background: #2b2b31; color: #eee; border: 1px solid #444; border-radius: 4px; padding: 6px 10px; font: inherit; }
  button:hover { background: #3a3a42; }
  #status { font: 12px ui-monospace, monospace; color: #9a9; min-height: 1.4em; text-align: center; }
</style>
</head>
<body>
<h1>Makapix player — virtual panel</h1>
<div id="bezel"><canvas id="panel" width="640" height="640" data-frames="0"></canvas></div>
<div id="controls">
  <button id="back" data-action="back">&laquo; Back</button>
  <button id="pause" data-action="pause">Pause</button>
  <button id="next" data-action="next">Next &raquo;</button>
  <label>Brightness <input id="brightness" type="range" min="0" max="100" value="100"></label>
  <label title="the driver's ordered dithering: dim colours keep their hue on average"><input id="dither" type="checkbox"> Dither</label>
  <select id="channel">
    <option value="promoted">promoted</option><option value="all">all</option>
    <option value="hashtag:animated">#animated</option><option value="hashtag:landscape">#landscape</option>
    <option value="by_user:pixelpat">by pixelpat</option><option value="by_user:bitbard">by bitbard</option>
  </select>
  <button id="play" data-action="channel">Play channel</button>
  <input id="post" type="number" min="1" placeholder="post id" style="width: 7em">
  <button id="show" data-action="show">Show artwork</button>
</div>
<div id="status">connecting…</div>
<script>
const canvas = document.getElementById("panel");
const context = canvas.getContext("2d");
const status = document.getElementById("status");
let paused = false;
let info = {};
function draw(width, height, rgb) {
  const pitch = Math.max(4, Math.floor(Math.min(720 / width, 720 / height)));
  if (canvas.width !== width * pitch || canvas.height !== height * pitch) {
    canvas.width = width * pitch;
    canvas.height = height * pitch;
  }
  context.fillStyle = "#080808";
  context.fillRect(0, 0, canvas.width, canvas.height);
  const radius = pitch * 0.38;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
      context.fillStyle = (r | g | b) ? "rgb(" + r + "," + g + "," + b + ")" : "#141414";
      context.beginPath();
      context.arc(x * pitch + pitch / 2, y * pitch + pitch / 2, radius, 0, 6.2832);
      context.fill();
    }
  }
  canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
}
const events = new EventSource("/events");
events.addEventListener("frame", (event) => {
  const frame = JSON.parse(event.data);
  const bytes = Uint8Array.from(atob(frame.rgb), (c) => c.charCodeAt(0));
  draw(frame.width, frame.height, bytes);
});
events.addEventListener("status", (event) => {
  info = JSON.parse(event.data);
  status.textContent = [info.session, info.post ? "post " + info.post : "", info.message || "", info.refreshHz ? info.refreshHz.toFixed(1) + " fps pushed" : ""].filter(Boolean).join(" · ");
});
events.onerror = () => { status.textContent = "disconnected from the virtual device"; };
async function control(body) {
  const response = await fetch("/control", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) status.textContent = "command failed: " + (await response.text());
}
document.getElementById("next").onclick = () => control({ action: "next" });
document.getElementById("back").onclick = () => control({ action: "back" });
document.getElementById("pause").onclick = (event) => {
  paused = !paused;
  event.target.textContent = paused ? "Resume" : "Pause";
  control({ action: "pause", paused });
};
document.getElementById("brightness").onchange = (event) => control({ action: "brightness", value: Number(event.target.value) });
document.getElementById("dither").onchange = (event) => control({ action: "dither", enabled: event.target.checked });
document.getElementById("play").onclick = () => {
  const [name, argument] = document.getElementById("channel").value.split(":");
  control({ action: "channel", channel: name, argument });
};
document.getElementById("show").onclick = () => control({ action: "show", postId: Number(document.getElementById("post").value) });
</script>
</body>
</html>
`;
