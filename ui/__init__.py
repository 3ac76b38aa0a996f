"""Gradio web app and REST API of ReportQA (presentation only; logic lives in rag/)."""
