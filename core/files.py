"""Why a file could not be read or written, in words for the user."""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "不允许这样操作",
    errno.EROFS: "所在的磁盘是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "已经存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EINVAL: "路径不合法",
}


def os_reason(exc: OSError) -> str:
    """The reason of an OSError in Chinese, with the system's own words when there is no better."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
