"""ReportQA: question answering with exact citations over Chinese government work reports."""

__version__ = "0.1.0"
