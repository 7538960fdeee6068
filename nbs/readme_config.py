# README.md is nbs/index.ipynb as markdown, without `#| hide` cells: jupyter nbconvert --config nbs/readme_config.py
c = get_config()  # noqa: F821 (provided by nbconvert)
c.NbConvertApp.notebooks = ["nbs/index.ipynb"]
c.NbConvertApp.export_format = "markdown"
c.FilesWriter.build_directory = "."
c.NbConvertApp.output_base = "README"
c.RegexRemovePreprocessor.patterns = [r"^#\| ?hide"]

from nbconvert.preprocessors import Preprocessor  # noqa: E402


class DropDirectives(Preprocessor):
    "Code cells shown without their nbdev directives (`#| slow`, `#| export`): the README shows code, not build flags"
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.source = "\n".join(l for l in cell.source.splitlines() if not l.startswith("#|"))
        return cell, resources


c.MarkdownExporter.preprocessors = [DropDirectives]
