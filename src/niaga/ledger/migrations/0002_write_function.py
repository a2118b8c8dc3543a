"""niaga_ledger_write: a batch of transfers written inside PostgreSQL in one call.

niaga.ledger.batches plans the legs in Python and calls this on PostgreSQL; on SQLite the same
legs are written by three statements. The function inserts the transfers, moves each account
once by the batch's net movement, in the caller's lock order, then checks the balance flags
after each leg in order. A refusal raises SQLSTATE P0001 with a one-word message (and the account, or the
two currencies, as its detail); a reused transfer id or a pending transfer resolved twice
raises the unique violation of its index.
"""

from django.db import migrations

# The columns of one leg, as niaga.ledger.batches sends them in a JSON array.
LEG = """
    transfer_id text, kind text, debit_id bigint, credit_id bigint, amount bigint,
    currency text, pending_delta bigint, posted_delta bigint, pending_id bigint, code text,
    metadata jsonb, fingerprint text
"""

# How far the whole batch moves one account's four sums, and when it is locked.
NET = """
    id bigint, position integer, debits_pending bigint, debits_posted bigint,
    credits_pending bigint, credits_posted bigint
"""

CREATE_LEG = "CREATE TYPE niaga_ledger_leg AS (" + LEG + ");"

CREATE = r"""
CREATE FUNCTION niaga_ledger_write(
    p_accounts jsonb, p_legs jsonb, p_batch text, p_timestamp timestamptz
) RETURNS TABLE (made_id bigint, made_transfer_id text, made_currency text)
LANGUAGE plpgsql AS $$
DECLARE
    legs niaga_ledger_leg[];
    leg niaga_ledger_leg;
    net record;
    was record;
    ids bigint[] := '{}';
    dpe bigint[] := '{}';
    dpo bigint[] := '{}';
    cpe bigint[] := '{}';
    cpo bigint[] := '{}';
    gives boolean[] := '{}';
    takes boolean[] := '{}';
    currencies text[] := '{}';
    d integer;
    c integer;
BEGIN
    SELECT array_agg(l) INTO legs
        FROM jsonb_populate_recordset(NULL::niaga_ledger_leg, p_legs) AS l;
    -- The transfers first: a reused id stops the batch before it locks anything, and the
    -- accounts are held for as short a time as can be.
    RETURN QUERY
        INSERT INTO ledger_transfer AS made (
            transfer_id, kind, debit_account_id, credit_account_id, amount, currency,
            pending_id, batch, code, metadata, fingerprint, "timestamp"
        )
        SELECT l.transfer_id, l.kind, l.debit_id, l.credit_id, l.amount, l.currency,
               l.pending_id, p_batch, l.code, l.metadata, l.fingerprint, p_timestamp
        FROM unnest(legs) AS l
        RETURNING made.id::bigint, made.transfer_id::text, made.currency::text;
    -- Each account is updated once, by the batch's net movement, in the order the caller
    -- gives (one order for every batch, shared accounts last): no two batches wait on each
    -- other in a circle, and the row lock is the update's own.
    FOR net IN
        SELECT * FROM jsonb_to_recordset(p_accounts) AS n (""" + NET + r""") ORDER BY n.position
    LOOP
        UPDATE ledger_account AS account
            SET debits_pending = account.debits_pending + net.debits_pending,
                debits_posted = account.debits_posted + net.debits_posted,
                credits_pending = account.credits_pending + net.credits_pending,
                credits_posted = account.credits_posted + net.credits_posted
            WHERE account.id = net.id
              AND account.debits_pending + net.debits_pending >= 0
              AND account.credits_pending + net.credits_pending >= 0
              AND (NOT account.debits_must_not_exceed_credits
                   OR account.debits_posted + net.debits_posted
                      + account.debits_pending + net.debits_pending
                      <= account.credits_posted + net.credits_posted)
              AND (NOT account.credits_must_not_exceed_debits
                   OR account.credits_posted + net.credits_posted
                      + account.credits_pending + net.credits_pending
                      <= account.debits_posted + net.debits_posted)
            RETURNING account.debits_pending - net.debits_pending AS debits_pending,
                      account.debits_posted - net.debits_posted AS debits_posted,
                      account.credits_pending - net.credits_pending AS credits_pending,
                      account.credits_posted - net.credits_posted AS credits_posted,
                      account.debits_must_not_exceed_credits AS gives,
                      account.credits_must_not_exceed_debits AS takes,
                      account.currency::text AS currency
            INTO was;
        IF NOT FOUND THEN
            PERFORM niaga_ledger_refuse(net.id, net.debits_pending, net.credits_pending);
        END IF;
        ids := ids || net.id;
        dpe := dpe || was.debits_pending;
        dpo := dpo || was.debits_posted;
        cpe := cpe || was.credits_pending;
        cpo := cpo || was.credits_posted;
        gives := gives || was.gives;
        takes := takes || was.takes;
        currencies := currencies || was.currency;
    END LOOP;
    -- Then each leg in order, from the sums as they were: the flags must hold after every
    -- transfer, not only after the last.
    FOREACH leg IN ARRAY legs LOOP
        d := array_position(ids, leg.debit_id);
        c := array_position(ids, leg.credit_id);
        IF currencies[d] <> leg.currency OR currencies[c] <> leg.currency THEN
            RAISE EXCEPTION USING MESSAGE = 'currency_mismatch',
                DETAIL = currencies[d] || ' ' || currencies[c];
        END IF;
        dpe[d] := dpe[d] + leg.pending_delta;
        dpo[d] := dpo[d] + leg.posted_delta;
        cpe[c] := cpe[c] + leg.pending_delta;
        cpo[c] := cpo[c] + leg.posted_delta;
        IF least(dpe[d], cpe[c]) < 0 THEN
            RAISE EXCEPTION USING MESSAGE = 'negative_sum';
        END IF;
        IF (gives[d] AND dpo[d] + dpe[d] > cpo[d]) OR (takes[d] AND cpo[d] + cpe[d] > dpo[d]) THEN
            RAISE EXCEPTION USING MESSAGE = 'insufficient_funds', DETAIL = ids[d]::text;
        END IF;
        IF (gives[c] AND dpo[c] + dpe[c] > cpo[c]) OR (takes[c] AND cpo[c] + cpe[c] > dpo[c]) THEN
            RAISE EXCEPTION USING MESSAGE = 'insufficient_funds', DETAIL = ids[c]::text;
        END IF;
    END LOOP;
END
$$;
"""

# Why an account's update did not happen: it is not there, a pending sum would go below
# zero, or a balance flag would break.
CREATE_REFUSE = r"""
CREATE FUNCTION niaga_ledger_refuse(
    p_account_id bigint, p_debits_pending bigint, p_credits_pending bigint
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    found_account record;
BEGIN
    SELECT account.debits_pending, account.credits_pending INTO found_account
        FROM ledger_account AS account WHERE account.id = p_account_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = 'unknown_account';
    END IF;
    IF found_account.debits_pending + p_debits_pending < 0
            OR found_account.credits_pending + p_credits_pending < 0 THEN
        RAISE EXCEPTION USING MESSAGE = 'negative_sum';
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'insufficient_funds', DETAIL = p_account_id::text;
END
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS niaga_ledger_write; DROP FUNCTION IF EXISTS niaga_ledger_refuse;"
    " DROP TYPE IF EXISTS niaga_ledger_leg;"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_LEG, params=None)
        schema_editor.execute(CREATE_REFUSE, params=None)
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
