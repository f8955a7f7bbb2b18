"""/api/v1/services/{id}/availability: the free starts, so an outside system offers valid times."""
from flask import request

from ....integrations.api_reads import free_starts
from ....integrations.tokens import READ
from ....kernel.clock import utcnow
from .. import bp
from ..auth import require
from ..inputs import availability_query
from ..serialize import reply, slots_json


@bp.get("/services/<int:service_id>/availability")
@require(READ)
def service_availability(service_id):
    day, fieldworker_id = availability_query(request.args)
    timezone, slots = free_starts(service_id, day, fieldworker_id, utcnow())
    return reply(200, slots_json(service_id, day, timezone, slots))
