"""Working hours, blocked time, qualified fieldworkers per service, slot claims; booking
settings (slot step, reschedule cap, online booking)."""
from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class Service(Model):
        class Meta:
            database = db
            table_name = "service"

    class Booking(Model):
        class Meta:
            database = db
            table_name = "booking"

    class WorkingHours(Model):
        staff = ForeignKeyField(Staff, null=True, on_delete="CASCADE")
        weekday = IntegerField()
        start_minute = IntegerField()
        end_minute = IntegerField()

        class Meta:
            database = db
            table_name = "working_hours"
            indexes = ((("staff", "weekday"), False),)

    class BlockedTime(Model):
        staff = ForeignKeyField(Staff, null=True, on_delete="CASCADE")
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField()
        reason = CharField(max_length=120, default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "blocked_time"

    class ServiceStaff(Model):
        service = ForeignKeyField(Service, on_delete="CASCADE")
        staff = ForeignKeyField(Staff, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "service_staff"
            indexes = ((("service", "staff"), True),)

    class SlotClaim(Model):
        staff = ForeignKeyField(Staff, on_delete="CASCADE")
        booking = ForeignKeyField(Booking, on_delete="CASCADE")
        slot_start = DateTimeField()

        class Meta:
            database = db
            table_name = "slot_claim"
            indexes = ((("staff", "slot_start"), True),)

    db.create_tables([WorkingHours, BlockedTime, ServiceStaff, SlotClaim])
    migrator.migrate(
        migrator.add_column("settings", "slot_step_minutes", IntegerField(default=30)),
        migrator.add_column("settings", "max_reschedules", IntegerField(null=True)),
        migrator.add_column("settings", "online_booking", BooleanField(default=True)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("settings", "online_booking"),
                     migrator.drop_column("settings", "max_reschedules"),
                     migrator.drop_column("settings", "slot_step_minutes"))
    for table in ("slot_claim", "service_staff", "blocked_time", "working_hours"):
        migrator.migrate(migrator.drop_table(table))
