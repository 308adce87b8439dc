import { render } from "preact";
import "./style.css";
import "uplot/dist/uPlot.min.css";
import { App } from "./app";

render(<App />, document.getElementById("app")!);
