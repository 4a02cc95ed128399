"""Every error kb raises on purpose, in one family.

Each class says what went wrong in its message (one line, naming the file, key or parameter) and which
HTTP status a site answers it with (``status``), in the manner of Datasette's ``DatasetteError``: the web
layer maps an error by its class's status, never by catching ``ValueError`` (a ``ValueError`` from a bug
stays a 500). The command line ends an ``InputError`` with exit 2 and any other ``KbError`` with exit 1.

Anything else raised below the CLI and the site is a bug.
"""

from __future__ import annotations


class KbError(Exception):
    """The base: something kb could not do, said in one line. ``status`` is the HTTP status that fits it;
    ``title`` the heading a page gives it (None: the status's own); ``public_message`` what a page shows
    instead of the message, where the message holds what a visitor need not read (paths, reasons)."""

    status = 500
    title: str | None = None

    @property
    def public_message(self) -> str:
        """What a user is shown of the error (the CLI, the API, the site): its message."""
        return str(self)


class InputError(KbError):
    """A request, parameter or file that cannot be taken as given: the caller can fix it."""

    status = 400


class UnavailableError(KbError):
    """Something the request needs cannot be had now (no index, a store that cannot write); try later."""

    status = 503


# -- the vocabulary and the corpus -------------------------------------------------------------------

class UnknownRegion(InputError):
    """A region that is none of ``kb/data/regions.yaml``'s; the message lists the choices."""


class UnknownStatus(InputError):
    """A document status that is none of ``kb/data/documents.yaml``'s; the message lists the choices."""


class FrontMatterError(InputError):
    """A document's front matter that does not follow the corpus's format (the key and the reason)."""


class CorpusError(KbError):
    """A corpus file that cannot be read or written; the message names the file and the problem."""


class FileWriteError(KbError, OSError):
    """A write that did not happen; the message says which file and why, in one line."""


# -- the index ------------------------------------------------------------------------------------

class IndexMissing(UnavailableError):
    """There is no usable index at the configured path; the message says what to do."""

    title = "索引尚未建立"


class IndexDamaged(IndexMissing):
    """A generation's files do not match its manifest, or cannot be read."""


class IndexPathRefused(KbError):
    """``KB_INDEX`` names something the store did not make; it is left untouched."""


class BuildFailed(KbError, OSError):
    """A build that could not write its generation (a full disk, a read-only folder); the index is unchanged."""


# -- search and answers ----------------------------------------------------------------------------

class SearchError(InputError):
    """A search request that cannot be run as asked; the message says why."""


class UnknownCustomerType(InputError):
    """A customer type the lexicon does not name (the rule table's subject)."""


class DeadlineError(InputError):
    """A time limit that cannot be counted to a date (another unit, not a positive number, too long)."""


class DeadlineUnknown(DeadlineError):
    """Neither the official calendar nor the estimate covers a year needed; the message names it, in Chinese."""

    def __init__(self, year: int) -> None:
        super().__init__(f"节假日数据未覆盖{year}年，无法计算工作日")
        self.year = year


class ModelError(KbError):
    """The answer model's file is missing or was fit on other features: run `make tune`."""


class QuestionSetError(InputError):
    """A question set (JSON lines) that does not follow ``shared/eval/README.md``; the line and the reason."""


# -- feedback and settings -------------------------------------------------------------------------

class FeedbackError(InputError):
    """Feedback that cannot be stored as given; the message says why (in Chinese, for the page)."""


class FeedbackUnavailable(UnavailableError):
    """The store cannot write now (off since start, or the write failed); the message says why."""

    title = "反馈功能暂不可用"

    @property
    def public_message(self) -> str:
        """What a user is shown: feedback could not be saved, answers and search still work."""
        return "反馈暂时无法保存，请稍后再试。答复与检索不受影响。"


class SettingsError(KbError):
    """A setting the site or ``kb serve`` cannot start with (a port, a rate limit, proxy hops); the message
    names it."""
