"""Getting data in: spreadsheet workbooks, public registries, reference areas, synthetic England."""
