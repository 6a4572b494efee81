"""The email outbox: mail kept in the database, sent by the delivery job."""
