"""Who may call what. The router's signature is checked before any of this (see auth_extension.py);
these decide what the vouched-for identity may do.

- Lead and fraud scores are internal sales and risk data: admins (ADMIN role with the admin scope)
  and the router's own service calls only.
- Rebuilding the project index (reindexProjects) is an operator's action: admins only.
- Checking and running AI jobs (checkAiJob, runAiJob) is the projects subgraph's part of the job queue:
  service calls only (the projects subgraph decides who may submit which job).
- Recommendations reveal what a user's own (possibly private) projects are about: the user, admins
  and the router only (checked in schema/user.py, where the user is known).
- Embeddings, search and generation spend CPU or a paid provider's tokens: any signed-in user or the router,
  not anonymous callers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from ..context import RequestContext, is_admin, is_signed_in_or_service
from ..errors import ErrorCode
from ..identity import ServiceIdentity


class CodedPermission(BasePermission):
    """A permission whose denial carries `code` as its GraphQL error's `extensions.code`."""

    code: ClassVar[ErrorCode]

    def __init__(self) -> None:
        super().__init__()
        self.error_extensions = {"code": self.code.value}


class SignedIn(CodedPermission):
    message = "Sign in to use this field"
    code = ErrorCode.UNAUTHENTICATED

    def has_permission(self, source: Any, info: Info[RequestContext, None], **kwargs: Any) -> bool:
        return is_signed_in_or_service(info.context.identity)


class AdminOnly(CodedPermission):
    message = "Only administrators may do this"
    code = ErrorCode.FORBIDDEN

    def has_permission(self, source: Any, info: Info[RequestContext, None], **kwargs: Any) -> bool:
        return is_admin(info.context.identity)


class AdminOrService(CodedPermission):
    message = "Only administrators may read this field"
    code = ErrorCode.FORBIDDEN

    def has_permission(self, source: Any, info: Info[RequestContext, None], **kwargs: Any) -> bool:
        identity = info.context.identity
        return isinstance(identity, ServiceIdentity) or is_admin(identity)


class ServiceOnly(CodedPermission):
    message = "Only platform services may call this"
    code = ErrorCode.FORBIDDEN

    def has_permission(self, source: Any, info: Info[RequestContext, None], **kwargs: Any) -> bool:
        return isinstance(info.context.identity, ServiceIdentity)
