"""Demo data: a generated contact centre whose exports contain the four stories."""

from demo.generator import DemoSpec, generate

__all__ = ["DemoSpec", "generate"]
