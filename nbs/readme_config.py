# README.md is nbs/index.ipynb as markdown, without `#| hide` cells: jupyter nbconvert --config nbs/readme_config.py
c = get_config()  # noqa: F821 (provided by nbconvert)
c.NbConvertApp.notebooks = ["nbs/index.ipynb"]
c.NbConvertApp.export_format = "markdown"
c.FilesWriter.build_directory = "."
c.NbConvertApp.output_base = "README"
c.RegexRemovePreprocessor.patterns = [r"^#\| ?hide"]
