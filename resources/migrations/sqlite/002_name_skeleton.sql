-- Latchkey schema 2: usernames that look alike are one name. name_skeleton is the UTS #39
-- confusable skeleton of the name, case-folded (username::skeletonKey(), computed with ICU):
-- "copy" and Cyrillic "сору" share it. Existing users get theirs from the server's migrator
-- in this migration's transaction, the oldest account first; a later one whose name looks
-- like an earlier one's keeps its name without a skeleton (new names cannot take either).
ALTER TABLE users ADD COLUMN name_skeleton TEXT;
CREATE UNIQUE INDEX users_name_skeleton ON users (name_skeleton);
