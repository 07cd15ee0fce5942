-- The first schema of a synced account. The same text runs on SQLite and
-- PostgreSQL: TEXT, BIGINT and DOUBLE PRECISION only; times are the
-- server's wall clock as 'YYYY-MM-DD HH:MM:SS' (NULL when the reply says
-- none) and days 'YYYY-MM-DD', so the example queries of docs/sync.md run
-- unchanged on both. Every table starts with account (the user name synced)
-- and its primary key says what one row is.

-- +goose Up
CREATE TABLE tasks (
    account        TEXT   NOT NULL,
    task_id        BIGINT NOT NULL,
    sn             TEXT   NOT NULL,
    sender         TEXT   NOT NULL,
    sender_name    TEXT   NOT NULL,
    reply_to       TEXT   NOT NULL,
    template_ids   TEXT   NOT NULL, -- comma-separated, as add-task takes them
    template_name  TEXT   NOT NULL,
    list_ids       TEXT   NOT NULL,
    list_name      TEXT   NOT NULL,
    send_qty       BIGINT NOT NULL,
    send_time      TEXT,
    time_start     TEXT,
    time_end       TEXT,
    send_count     BIGINT NOT NULL,
    error_count    BIGINT NOT NULL,
    send_status    BIGINT NOT NULL,
    track_status   BIGINT NOT NULL,
    PRIMARY KEY (account, task_id)
);

CREATE TABLE batches (
    account          TEXT   NOT NULL,
    task_id          BIGINT NOT NULL,
    task_ident       TEXT   NOT NULL,
    task_date        TEXT,
    total_sum        BIGINT NOT NULL,
    total            BIGINT NOT NULL,
    success          BIGINT NOT NULL,
    failed           BIGINT NOT NULL,
    email_not_exist  BIGINT NOT NULL,
    over_quota       BIGINT NOT NULL,
    user_reject      BIGINT NOT NULL,
    send_failed      BIGINT NOT NULL,
    spam_content     BIGINT NOT NULL,
    connect_error    BIGINT NOT NULL,
    invalid          BIGINT NOT NULL,
    rubbish          BIGINT NOT NULL,
    deducted_points  DOUBLE PRECISION NOT NULL,
    refunded_points  DOUBLE PRECISION NOT NULL,
    points           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account, task_id, task_ident)
);

CREATE TABLE daily_stats (
    account          TEXT   NOT NULL,
    day              TEXT   NOT NULL,
    web_qty          BIGINT NOT NULL,
    web_error        BIGINT NOT NULL,
    web_count        BIGINT NOT NULL,
    invalid_addr     BIGINT NOT NULL,
    format_error     BIGINT NOT NULL,
    send_count       BIGINT NOT NULL,
    reserved_points  DOUBLE PRECISION NOT NULL,
    actual_send      BIGINT NOT NULL,
    send_error       BIGINT NOT NULL,
    deducted_points  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account, day)
);

-- deduction.php has no id: a row is the n-th of its day's reply.
CREATE TABLE deductions (
    account   TEXT   NOT NULL,
    day       TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    company   TEXT   NOT NULL,
    kind      TEXT   NOT NULL,
    send_num  BIGINT NOT NULL,
    total     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account, day, seq)
);

CREATE TABLE track_overviews (
    account           TEXT   NOT NULL,
    task_id           BIGINT NOT NULL,
    track_id          BIGINT NOT NULL,
    task_sn           TEXT   NOT NULL,
    send_count        BIGINT NOT NULL,
    real_send_count   BIGINT NOT NULL,
    error_send_count  BIGINT NOT NULL,
    open_unique       BIGINT NOT NULL,
    open_total        BIGINT NOT NULL,
    open_first        TEXT,
    open_last         TEXT,
    click_unique      BIGINT NOT NULL,
    click_total       BIGINT NOT NULL,
    click_first       TEXT,
    click_last        TEXT,
    open_ratio        DOUBLE PRECISION NOT NULL,
    click_ratio       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account, task_id)
);

CREATE TABLE links (
    account       TEXT   NOT NULL,
    task_id       BIGINT NOT NULL,
    link_id       BIGINT NOT NULL,
    url           TEXT   NOT NULL,
    click_unique  BIGINT NOT NULL,
    click_total   BIGINT NOT NULL,
    click_first   TEXT,
    click_last    TEXT,
    PRIMARY KEY (account, task_id, link_id)
);

-- One row per recipient who opened a task's mail.
CREATE TABLE opens (
    account      TEXT   NOT NULL,
    task_id      BIGINT NOT NULL,
    email        TEXT   NOT NULL,
    email_id     BIGINT NOT NULL,
    browser      TEXT   NOT NULL,
    os           TEXT   NOT NULL,
    ip_first     TEXT   NOT NULL,
    ip_last      TEXT   NOT NULL,
    open_total   BIGINT NOT NULL,
    click_total  BIGINT NOT NULL,
    open_first   TEXT,
    open_last    TEXT,
    click_first  TEXT,
    click_last   TEXT,
    PRIMARY KEY (account, task_id, email)
);

-- One row per recipient and link clicked.
CREATE TABLE clicks (
    account       TEXT   NOT NULL,
    task_id       BIGINT NOT NULL,
    email         TEXT   NOT NULL,
    url           TEXT   NOT NULL,
    click_id      BIGINT NOT NULL,
    click_unique  BIGINT NOT NULL,
    click_total   BIGINT NOT NULL,
    click_first   TEXT,
    click_last    TEXT,
    PRIMARY KEY (account, task_id, email, url)
);

-- The failed addresses of a day (failexportall.php), with their kind:
-- 1 not_exist, 2 over_quota, 3 user_reject, 4 temporary, 8 invalid_addr,
-- 9 format_error.
CREATE TABLE failures (
    account    TEXT   NOT NULL,
    day        TEXT   NOT NULL,
    task_id    BIGINT NOT NULL,
    email      TEXT   NOT NULL,
    kind       BIGINT NOT NULL,
    kind_name  TEXT   NOT NULL,
    PRIMARY KEY (account, day, task_id, email)
);
CREATE INDEX failures_email ON failures (account, email);

CREATE TABLE lists (
    account      TEXT   NOT NULL,
    list_id      BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    description  TEXT   NOT NULL,
    count        BIGINT NOT NULL,
    status       TEXT   NOT NULL,
    PRIMARY KEY (account, list_id)
);

-- Only with sync --addresses.
CREATE TABLE addresses (
    account     TEXT   NOT NULL,
    list_id     BIGINT NOT NULL,
    email       TEXT   NOT NULL,
    address_id  BIGINT NOT NULL,
    name        TEXT   NOT NULL,
    sex         TEXT   NOT NULL,
    birthday    TEXT,
    phone       TEXT   NOT NULL,
    area        TEXT   NOT NULL,
    added       TEXT,
    PRIMARY KEY (account, list_id, email)
);

CREATE TABLE unsubscribes (
    account  TEXT   NOT NULL,
    list_id  BIGINT NOT NULL,
    email    TEXT   NOT NULL,
    unsubscribed_at TEXT,
    PRIMARY KEY (account, list_id, email)
);

-- Incremental state. sync_state: per account and kind ('days'), the last
-- whole day synced. task_sync: per task, whether its tracking can still
-- change (final = 1: finished long enough ago that it is not pulled again
-- without --full).
CREATE TABLE sync_state (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, kind)
);

CREATE TABLE task_sync (
    account    TEXT   NOT NULL,
    task_id    BIGINT NOT NULL,
    final      BIGINT NOT NULL,
    synced_at  TEXT   NOT NULL,
    PRIMARY KEY (account, task_id)
);

-- +goose Down
DROP TABLE task_sync;
DROP TABLE sync_state;
DROP TABLE unsubscribes;
DROP TABLE addresses;
DROP TABLE lists;
DROP TABLE failures;
DROP TABLE clicks;
DROP TABLE opens;
DROP TABLE links;
DROP TABLE track_overviews;
DROP TABLE deductions;
DROP TABLE daily_stats;
DROP TABLE batches;
DROP TABLE tasks;
