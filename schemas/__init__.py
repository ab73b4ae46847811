"""Pydantic contracts shared by every layer: engine inputs and outputs, enums, errors."""
