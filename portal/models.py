"""Every model, in dependency order: what migrations and tests compare against."""
from .accounts.models import AccountToken
from .accounts.sessions import LoginSession
from .audit import AuditEvent
from .billing.models import FeeTier, Invoice, InvoiceLine, Payment, Refund
from .bookings.models import Assignment, Booking, CustomerBookingCount, Service
from .bookings.series_models import BookingSeries
from .bookings.schedule_models import BlockedTime, ServiceStaff, SlotClaim, WorkingHours
from .bookings.waitlist_models import WaitlistEntry, WaitlistOffer
from .integrations.idempotency import ApiIdempotencyKey
from .integrations.models import ApiToken, Integration
from .integrations.webhook_models import WebhookAttempt, WebhookDelivery
from .kernel.ratelimit import RateLimitHit
from .messaging.models import Notification, OutboxMessage
from .messaging.push_models import PushDelivery, PushKey, PushSubscription
from .messaging.template_models import EmailTemplate
from .orders.models import Order, OrderItem, Product
from .people import Customer, Staff
from .reports.models import (ReportDay, ReportDirty, ReportMoney, ReportMonth, ReportOrderDay,
                             ReportOrderDirty, ReportReasonMonth, ReportState, ReportMoneyMonth)
from .settings import CancellationReason, Settings

ALL_MODELS = [Settings, CancellationReason, Customer, Staff, Integration, ApiToken, Service,
              BookingSeries, Booking, Assignment, AuditEvent,
              OutboxMessage, Notification, Invoice, InvoiceLine, WorkingHours, BlockedTime,
              ServiceStaff, SlotClaim, Payment, Refund, FeeTier,
              Product, Order, OrderItem, WebhookDelivery, WebhookAttempt,
              AccountToken, ApiIdempotencyKey, RateLimitHit, LoginSession,
              ReportDay, ReportDirty, ReportState, ReportOrderDay, ReportOrderDirty, ReportMoney,
              PushKey, PushSubscription, PushDelivery, EmailTemplate, WaitlistEntry,
              WaitlistOffer, CustomerBookingCount, ReportMonth, ReportReasonMonth,
              ReportMoneyMonth]
