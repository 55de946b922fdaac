"""Workbooks that are not .xlsx inside, named for what they are so that people know what to do.

A password-protected .xlsx is not a zip but an OLE2 compound file holding an `EncryptedPackage`
stream; an old .xls renamed .xlsx is an OLE2 file without one. openpyxl calls both "not a zip file".
"""

from __future__ import annotations

from pathlib import Path

from coordination.domain.errors import InvalidInput

OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # as the compound file's directory names it
_CHUNK = 1 << 20


def _holds(path: Path, needle: bytes) -> bool:
    """Whether the file contains `needle`, read in bounded chunks (they overlap by the needle's length)."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            if needle in tail + block:
                return True
            tail = block[-len(needle):]
    return False


def refuse_unopenable_workbook(path: Path) -> None:
    """Raise a plain InvalidInput for a password-protected or old-format workbook; return for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(OLE2_MAGIC))
        if head != OLE2_MAGIC:
            return
        encrypted = _holds(path, _ENCRYPTED_STREAM)
    except OSError:
        return
    if encrypted:
        raise InvalidInput(
            f"{path.name} 设有打开密码（已加密），无法读取：请在 Excel 中打开它，"
            "在“文件 → 信息 → 保护工作簿 → 用密码进行加密”中清空密码并保存，再导入",
            f"{path.name} is protected by a password (encrypted) and cannot be read: open it in Excel, clear the "
            "password under File → Info → Protect Workbook → Encrypt with Password, save it, then import it")
    raise InvalidInput(f"{path.name} 是旧版 Excel（.xls）格式：请在 Excel 中另存为 .xlsx 后再导入",
                       f"{path.name} is an old-format Excel workbook (.xls): save it as .xlsx in Excel, then import it")
