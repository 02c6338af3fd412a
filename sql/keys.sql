-- Keys: extraction with DynamoDB's messages, the order-preserving encoding,
SET search_path = public, dynpg;
-- the fixed partition hash and the storage key.
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.try_key(doc text, pk text, pkt text, sk text DEFAULT NULL, skt text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynpg.extract_key(doc::dynpg.item, pk, pkt, sk, skt)::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- extraction
SELECT pg_temp.try_key('{"PersonID":{"N":"101"},"LastName":{"S":"Smith"}}', 'PersonID', 'N');
SELECT pg_temp.try_key('{"chat_id":{"S":"c1"},"message_id":{"N":"7"},"body":{"S":"hi"}}', 'chat_id', 'S', 'message_id', 'N');
SELECT pg_temp.try_key('{"k":{"B":"AAE="}}', 'k', 'B');
-- what PutItem rejects
SELECT d, pg_temp.try_key(d, 'p', 'S', 's', 'N') FROM (VALUES
 ('{"x":{"S":"a"}}'),
 ('{"p":{"S":"a"}}'),
 ('{"p":{"N":"1"},"s":{"N":"1"}}'),
 ('{"p":{"S":"a"},"s":{"S":"1"}}'),
 ('{"p":{"SS":["a"]},"s":{"N":"1"}}'),
 ('{"p":{"S":""},"s":{"N":"1"}}')
) AS t(d);
SELECT pg_temp.try_key('{"p":{"B":""}}', 'p', 'B');
SELECT pg_temp.try_key('{"p":{"S":"a"},"s":{"B":""}}', 'p', 'S', 's', 'B');
SELECT pg_temp.try_key('{"p":{"M":{}}}', 'p', 'M');
-- key sizes: partition key 2048 bytes, sort key 1024 bytes (B counts raw bytes; N is not limited)
SELECT length(pg_temp.try_key(format('{"p":{"S":"%s"}}', repeat('k', 2048)), 'p', 'S')) > 2048 AS pk_2048_ok;
SELECT pg_temp.try_key(format('{"p":{"S":"%s"}}', repeat('k', 2049)), 'p', 'S') AS pk_2049;
SELECT pg_temp.try_key(format('{"p":{"S":"%s"}}', repeat('é', 1025)), 'p', 'S') AS pk_utf8_bytes;
SELECT length(pg_temp.try_key(format('{"p":{"B":"%s"}}', encode(decode(repeat('ab', 2048), 'hex'), 'base64')), 'p', 'B')) > 0 AS pk_b_2048_ok;
SELECT pg_temp.try_key(format('{"p":{"B":"%s"}}', replace(encode(decode(repeat('ab', 2049), 'hex'), 'base64'), E'\n', '')), 'p', 'B') AS pk_b_2049;
SELECT length(pg_temp.try_key(format('{"p":{"S":"a"},"s":{"S":"%s"}}', repeat('k', 1024)), 'p', 'S', 's', 'S')) > 1024 AS sk_1024_ok;
SELECT pg_temp.try_key(format('{"p":{"S":"a"},"s":{"S":"%s"}}', repeat('k', 1025)), 'p', 'S', 's', 'S') AS sk_1025;
SELECT pg_temp.try_key('{"p":{"N":"-1234567890123456789012345678901234567.8e-20"}}', 'p', 'N') AS long_n_key;

-- the order-preserving encoding: N numerically
SELECT n, dynpg.key_encode(format('{"N":"%s"}', n)::jsonb) AS enc
  FROM (VALUES ('-1e125'), ('-10'), ('-2'), ('-1.5'), ('-1.25'), ('-1'), ('-0.5'), ('-1e-130'),
               ('0'), ('1e-130'), ('0.5'), ('1'), ('1.25'), ('1.5'), ('2'), ('10'), ('1e125')) AS t(n);
SELECT bool_and(a.e < b.e) AS n_order_preserved FROM (
  SELECT n, dynpg.key_encode(format('{"N":"%s"}', n)::jsonb) AS e, row_number() OVER () AS r
    FROM (VALUES ('-1e125'), ('-10'), ('-2'), ('-1.5'), ('-1.25'), ('-1'), ('-0.5'), ('-1e-130'),
                 ('0'), ('1e-130'), ('0.5'), ('1'), ('1.25'), ('1.5'), ('2'), ('10'), ('1e125')) AS t(n)) a
  JOIN (
  SELECT n, dynpg.key_encode(format('{"N":"%s"}', n)::jsonb) AS e, row_number() OVER () AS r
    FROM (VALUES ('-1e125'), ('-10'), ('-2'), ('-1.5'), ('-1.25'), ('-1'), ('-0.5'), ('-1e-130'),
                 ('0'), ('1e-130'), ('0.5'), ('1'), ('1.25'), ('1.5'), ('2'), ('10'), ('1e125')) AS t(n)) b
  ON b.r = a.r + 1;
-- equal numbers written differently encode and hash identically
SELECT count(DISTINCT dynpg.key_encode(format('{"N":"%s"}', n)::jsonb)) AS encodings,
       count(DISTINCT dynpg.partition_hash(format('{"N":"%s"}', n)::jsonb)) AS hashes
  FROM (VALUES ('1e3'), ('1000'), ('1000.0'), ('+1000'), ('0001000'), ('1E+3'), ('10000e-1')) AS t(n);
-- S by UTF-8 bytes, B by unsigned bytes
SELECT s, dynpg.key_encode(format('{"S":%s}', to_json(s))::jsonb) AS enc
  FROM (VALUES ('A'), ('Z'), ('a'), ('ab'), ('b'), ('z'), ('é'), ('中')) AS t(s)
 ORDER BY 2;
SELECT b, dynpg.key_encode(format('{"B":"%s"}', b)::jsonb) AS enc
  FROM (VALUES ('AA=='), ('AAA='), ('fw=='), ('gA=='), ('/w=='), ('//8=')) AS t(b)
 ORDER BY 2;
SELECT dynpg.key_encode('{"BOOL":true}');

-- the partition hash is fixed forever: XXH64 (seed 0) of the key encoding
SELECT to_hex(dynpg.hash64('')) AS xxh64_empty, to_hex(dynpg.hash64('a')) AS xxh64_a,
       to_hex(dynpg.hash64('abc')) AS xxh64_abc,
       to_hex(dynpg.hash64('Nobody inspects the spammish repetition')) AS xxh64_long;
SELECT v, to_hex(dynpg.partition_hash(v::jsonb)) AS hash
  FROM (VALUES ('{"N":"101"}'), ('{"N":"1e3"}'), ('{"S":"Smith"}'), ('{"S":"c1"}'), ('{"B":"AAE="}')) AS t(v);

-- the storage key: keyspace byte 0 (the table's items) || hash (8 bytes, big-endian)
-- || length byte and key || sort key
SELECT dynpg.storage_key('{"p":{"S":"ab"},"s":{"N":"2"}}', 'p', 'S', 's', 'N') AS sk_short;
SELECT substr(dynpg.storage_key('{"p":{"S":"ab"}}', 'p', 'S'), 2, 8)
     = int8send(dynpg.partition_hash('{"S":"ab"}')) AS hash_prefix;
-- a partition key longer than 64 bytes is stored as 0xFF and its SHA-256
SELECT length(dynpg.storage_key(format('{"p":{"S":"%s"}}', repeat('x', 65))::dynpg.item, 'p', 'S')) AS long_pk_len,
       get_byte(dynpg.storage_key(format('{"p":{"S":"%s"}}', repeat('x', 65))::dynpg.item, 'p', 'S'), 9) AS marker,
       substr(dynpg.storage_key(format('{"p":{"S":"%s"}}', repeat('x', 65))::dynpg.item, 'p', 'S'), 11)
         = sha256(convert_to(repeat('x', 65), 'UTF8')) AS is_sha256;
SELECT length(dynpg.storage_key(format('{"p":{"S":"%s"}}', repeat('x', 64))::dynpg.item, 'p', 'S')) AS pk_64_inline_len;
-- within one partition, storage keys sort by sort key
SELECT s, dynpg.storage_key(format('{"p":{"S":"chat"},"s":{"N":"%s"}}', s)::dynpg.item, 'p', 'S', 's', 'N') AS k
  FROM (VALUES ('10'), ('-1'), ('2'), ('1.5'), ('0')) AS t(s) ORDER BY 2;

-- dynpg.item_partition_hash: the partition hash of an item's attribute, read
-- from the item (what a cluster's expansion selects by), equal to
-- partition_hash of the attribute's typed JSON; NULL without the attribute
SELECT dynpg.item_partition_hash(i, 'k') = dynpg.partition_hash(i::jsonb -> 'k') AS same_hash,
       dynpg.cluster_node_of(dynpg.item_partition_hash(i, 'k'), 4)
         = dynpg.cluster_node_of(dynpg.partition_hash(i::jsonb -> 'k'), 4) AS same_node
  FROM (VALUES ('{"k":{"S":"a"},"v":{"N":"1"}}'::dynpg.item), ('{"k":{"N":"-12.5"}}'::dynpg.item),
               ('{"k":{"B":"AAEC"}}'::dynpg.item), ('{"k":{"S":""},"z":{"S":"x"}}'::dynpg.item)) t(i);
SELECT dynpg.item_partition_hash('{"other":{"S":"a"}}', 'k') IS NULL AS no_attribute;
SELECT dynpg.item_partition_hash('{"k":{"BOOL":true}}', 'k');
SELECT dynpg.cluster_node_of(0, 3);
SELECT dynpg.cluster_node_of(-1, 1) AS one_node, dynpg.cluster_node_of(-1, 1024) AS last_of_1024;
