"""Domain errors the gateway raises to the fronts, each with the HTTP status it maps to and a message
in Thai and English. Fronts never branch on error text: they catch these types."""

from __future__ import annotations


class CaseError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseNotFound(CaseError):
    status_code = 404

    def __init__(self, message: str = "ไม่พบเรื่องร้องเรียน / complaint not found") -> None:
        super().__init__(message)


class InvalidTransition(CaseError):
    status_code = 409


class InvalidInput(CaseError):
    status_code = 422


class Unavailable(CaseError):
    status_code = 503
