"""The house rules a reader relies on: chapters in dependency order, no private names across modules, and no
machine-specific paths or progress bars in the outputs stored in the notebooks."""
import ast, json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, LIB = ROOT / "nbs", ROOT / "focus_finetune"


def _chapter_of_module() -> dict:
    "module name -> the notebook (chapter) that exports it, from each notebook's `#| default_exp`"
    out = {}
    for nb in sorted(NBS.glob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            src = "".join(cell["source"])
            m = re.match(r"#\|\s*default_exp\s+(\S+)", src)
            if cell["cell_type"] == "code" and m: out[m.group(1)] = nb.stem
    return out


def _imports(module: str) -> list:
    "(imported module, names) for each import of the package's own modules by `focus_finetune.<module>`"
    tree = ast.parse((LIB / f"{module}.py").read_text())
    own = lambda n: n.module if n.level == 1 else n.module.removeprefix("focus_finetune.")  # noqa: E731
    return [(own(node), [a.name for a in node.names]) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            and (node.level == 1 or node.module.startswith("focus_finetune."))]


def test_modules_import_only_earlier_chapters_and_public_names():
    chapters = _chapter_of_module()
    assert "specialists" in chapters and "generation" in chapters, chapters
    problems = []
    for module, chapter in chapters.items():
        if module == "__init__" or chapter == "11_api": continue  # the top-level API gathers everything
        for imported, names in _imports(module):
            if imported not in chapters: continue
            if chapters[imported] >= chapter:
                problems.append(f"{module} ({chapter}) imports {imported} from the later chapter {chapters[imported]}")
            problems += [f"{module} imports the private name {imported}.{n}" for n in names if n.startswith("_")]
    assert not problems, "\n".join(problems)


MACHINE_PATHS = re.compile(r"(/home/[\w.-]+|/Users/[\w.-]+|/tmp/(?:tmp|pytest)[\w-]*|/work/[\w.-]+/|site-packages)")


def test_no_machine_paths_in_stored_outputs():
    found = []
    for nb in sorted(NBS.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            for out in cell.get("outputs", []):
                text = json.dumps(out)
                found += [f"{nb.name} cell {i}: {m}" for m in sorted(set(MACHINE_PATHS.findall(text)))]
    assert not found, "stored outputs name paths of one machine (rerun the cell quietly, or print paths relative):\n" + "\n".join(found)


PROGRESS_BAR = re.compile(r"\d+%\|.*\|\s*\d+/\d+")  # tqdm's "42%|████      | 42/100"


def test_no_progress_bars_in_stored_outputs():
    "Stored outputs are results, not the bars drawn while computing them (rerun the cell with progress=False)"
    found = []
    for nb in sorted(NBS.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                if PROGRESS_BAR.search(text): found.append(f"{nb.name} cell {i}: {PROGRESS_BAR.search(text).group()}")
    assert not found, "stored outputs hold progress bars:\n" + "\n".join(found)

def test_every_public_callable_is_documented_in_its_chapter():
    "`show_doc(name)` for every class and function the package exports at the top level, in the chapter that defines it"
    import inspect
    import focus_finetune
    chapters, missing = _chapter_of_module(), []
    for name in focus_finetune.__all__:
        obj = getattr(focus_finetune, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)): continue  # constants: tables and dicts, shown as such
        nb = NBS / f"{chapters[obj.__module__.rpartition('.')[2]]}.ipynb"
        code = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code")
        if not re.search(rf"show_doc\({re.escape(name)}\b", code): missing.append(f"{name} ({nb.name})")
    assert not missing, "no show_doc in the chapter that exports: " + ", ".join(missing)


EXPORT_CELL_LINES = 40


def test_long_export_cells_hold_one_definition():
    "The fastcore rhythm: an export cell over 40 lines is one function or class (or the imports), never several"
    long = []
    for nb in sorted(NBS.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or not src.startswith("#| export"): continue
            if len(src.splitlines()) <= EXPORT_CELL_LINES: continue
            body = ast.parse(src).body
            defs = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            if len(defs) > 1: long.append(f"{nb.name} cell {i}: {len(src.splitlines())} lines, {len(defs)} definitions")
    assert not long, "split these export cells at their definitions:\n" + "\n".join(long)
