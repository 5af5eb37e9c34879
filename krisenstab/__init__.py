"""Krisenstab: the crisis staff's desktop program (Einsatztagebuch, KRITIS, Lage, Übung)."""

__version__ = "0.1.0"
