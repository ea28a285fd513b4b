-- Every copy of an application that carries Approve / Decline (a lead's DM, the leads' private
-- thread, the admin log): when the application is decided or withdrawn, each copy is edited to
-- show the outcome instead of live buttons, in the language it was written in.
CREATE TABLE application_copies (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    channel_id     INTEGER NOT NULL,
    message_id     INTEGER NOT NULL,
    language       TEXT    NOT NULL,
    PRIMARY KEY (channel_id, message_id)
);
CREATE INDEX application_copies_by_application ON application_copies (application_id);
