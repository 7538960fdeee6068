"""mkdocs hooks: the API page, generated from the notebooks themselves (each chapter's `#| default_exp` module, in
chapter order, with the names its `__all__` exports), and the chapters in the navigation in chapter order."""
import json, re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]


def chapters() -> list:
    "(notebook stem, title, exported module or None) for each chapter notebook, in order"
    out = []
    for nb in sorted((ROOT/"nbs").glob("*.ipynb")):
        cells, title, module = json.loads(nb.read_text())["cells"], nb.stem, None
        for c in cells:
            src = "".join(c["source"])
            if c["cell_type"] == "markdown" and title == nb.stem and src.startswith("# "): title = src.splitlines()[0][2:].strip()
            m = re.match(r"#\|\s*default_exp\s+(\S+)", src)
            if c["cell_type"] == "code" and m: module = m.group(1)
        out.append((nb.stem, title, module))
    return out


def api_markdown() -> str:
    "The API page: one section per module, in chapter order, each public name with its signature and docstring"
    lines = ["# API", "", "Every public name of every module, in chapter order: its signature and docstring. The chapter that",
             "exports a module explains it, with examples and tests; `from focus_finetune import …` gathers the names used most.", ""]
    for stem, title, module in chapters():
        if module in (None, "__init__"): continue
        lines += [f"## `focus_finetune.{module}`", "", f"From chapter [{title}]({stem}.ipynb).", "",
                  f"::: focus_finetune.{module}", "    options:", "      show_root_heading: false", "      heading_level: 3", ""]
    return "\n".join(lines)


def on_files(files, config):
    files.append(File.generated(config, "api.md", content=api_markdown()))
    return files


def on_config(config):
    nav = [{"Home": "index.ipynb"}] + [{title: f"{stem}.ipynb"} for stem, title, _ in chapters() if stem != "index"]
    config["nav"] = nav + [{"API": "api.md"}]
    return config
