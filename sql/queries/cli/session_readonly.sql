-- cli/session_readonly - a viewer's session is read-only from now on.
-- columns: none
SET default_transaction_read_only = on
