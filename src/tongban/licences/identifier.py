"""电子证照标识 (GB/T 36904): the national identifier of one version of an electronic licence.

    1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check character>

- 1.2.156.3005.2 is the OID arc of Chinese e-licences;
- the type code (证照类型代码) is the defining department's unified social credit code and a
  3-character serial, e.g. 11100000000013338W011;
- the issuer code (颁发机构代码) is the issuing department's unified social credit code;
- the serial (流水号) is unique per issuer and type; here the issue date and a 4-digit counter;
- the version (版本号) is three digits, 001 for the first issue, one more per annotation (加注);
- the check character is ISO 7064 MOD 37,36 over the type code, issuer code, serial and version
  written together without the dots (checked against identifiers issued by provinces in use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

from tongban.errors import ValidationFailed

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_TYPE_CODE = re.compile(r"^[0-9A-Z]{18}[0-9A-Z]{3}$")
_ISSUER_CODE = re.compile(r"^[0-9A-Z]{18}$")
_SERIAL = re.compile(r"^[0-9A-Z]{1,40}$")
_VERSION = re.compile(r"^[0-9]{3}$")


def check_character(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    """The MOD 37,36 check character over the four parts written without dots."""
    return str(mod_37_36.calc_check_digit(type_code + issuer_code + serial + version, ALPHABET))


@dataclass(frozen=True)
class LicenceIdentifier:
    """The parts of a licence identifier; `str()` gives the dotted form with its check character."""

    type_code: str
    issuer_code: str
    serial: str
    version: int

    @property
    def version_text(self) -> str:
        return f"{self.version:03d}"

    @property
    def check(self) -> str:
        return check_character(self.type_code, self.issuer_code, self.serial, self.version_text)

    def __str__(self) -> str:
        return ".".join((PREFIX, self.type_code, self.issuer_code, self.serial, self.version_text, self.check))

    def with_version(self, version: int) -> LicenceIdentifier:
        """The identifier of another version of the same licence."""
        return LicenceIdentifier(self.type_code, self.issuer_code, self.serial, version)


def build(type_code: str, issuer_code: str, serial: str, version: int = 1) -> LicenceIdentifier:
    """A new identifier; refuses parts that the standard does not allow."""
    problems = _part_problems(type_code, issuer_code, serial, f"{version:03d}" if 0 < version < 1000 else "x")
    if problems:
        raise ValidationFailed("证照标识的组成部分有误：" + "；".join(problems), code="licence_identifier_invalid")
    return LicenceIdentifier(type_code, issuer_code, serial, version)


def parse(text: str) -> LicenceIdentifier:
    """Parse a dotted identifier and check its check character (refused with a Chinese reason)."""
    value = text.strip().upper()
    if not value.startswith(PREFIX + "."):
        raise ValidationFailed(f"证照标识应以 {PREFIX}. 开头，请核对后重新输入。", code="licence_identifier_invalid")
    parts = value[len(PREFIX) + 1:].split(".")
    if len(parts) != 5:
        raise ValidationFailed("证照标识应由类型代码、颁发机构代码、流水号、版本号和校验位五段组成，以“.”分隔。",
                               code="licence_identifier_invalid")
    type_code, issuer_code, serial, version, check = parts
    problems = _part_problems(type_code, issuer_code, serial, version)
    if problems:
        raise ValidationFailed("证照标识有误：" + "；".join(problems), code="licence_identifier_invalid")
    expected = check_character(type_code, issuer_code, serial, version)
    if check != expected:
        raise ValidationFailed("证照标识的校验位不正确，请核对是否抄错。", code="licence_identifier_check",
                               detail={"expected_length": 1})
    return LicenceIdentifier(type_code, issuer_code, serial, int(version))


def is_valid(text: str) -> bool:
    """Whether `text` is a well-formed identifier with the right check character."""
    try:
        parse(text)
    except ValidationFailed:
        return False
    return True


def _part_problems(type_code: str, issuer_code: str, serial: str, version: str) -> list[str]:
    problems = []
    if not _TYPE_CODE.match(type_code):
        problems.append("证照类型代码应为 21 位：定义部门统一社会信用代码 18 位加 3 位序号")
    if not _ISSUER_CODE.match(issuer_code):
        problems.append("颁发机构代码应为 18 位统一社会信用代码")
    if not _SERIAL.match(serial):
        problems.append("流水号只能由数字和大写字母组成，最长 40 位")
    if not _VERSION.match(version) or version == "000":
        problems.append("版本号应为 001 至 999 的三位数字")
    return problems
