/** The dashboard's entry: mounts the app. */
import "uplot/dist/uPlot.min.css";
import "@xterm/xterm/css/xterm.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.js";

render(<App />, document.getElementById("app")!);
