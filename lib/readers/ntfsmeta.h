/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ntfsmeta.h - readers of the NTFS metadata files a triage collection
 * copies without an image: a standalone $MFT (readers/mft.c) and the USN
 * change journal $Extend/$UsnJrnl:$J (readers/usn.c). Both stream: memory
 * stays flat whatever the size of the input, and every length and offset
 * in it is checked before use.
 */
#ifndef EXH_NTFSMETA_H
#define EXH_NTFSMETA_H

#include "internal.h"

/* ---- mft.c ----------------------------------------------------------------
 */

/* One record of a $MFT. Times are ms since the epoch, INT64_MIN when
 * absent; strings and bytes are borrowed, valid until the callback
 * returns. */
typedef struct mft_record {
    uint64_t number;     /* the record's index in the $MFT */
    uint16_t seq;        /* its sequence number */
    bool in_use;         /* else the entry was deleted */
    bool dir;            /* a folder */
    bool has_fn;         /* a $FILE_NAME was found (name, parent_ref) */
    uint64_t parent_ref; /* folder's record number | its sequence << 48 */
    const char *name;    /* UTF-8, the long (Win32 or POSIX) name */
    size_t name_len;
    int64_t si[4];           /* $SI created, modified, changed, accessed */
    int64_t fn[4];           /* $FN likewise */
    uint32_t security_id;    /* $SI security id ($Secure:$SDS), 0 if none */
    const unsigned char *sd; /* resident $SECURITY_DESCRIPTOR, or NULL */
    size_t sd_len;
    uint64_t size; /* the unnamed $DATA's size */
    /* A file with several hard links is handed over once per name (the
     * DOS 8.3 name only when it has no other): names is how many. */
    uint32_t names;
    uint32_t extensions; /* extension records whose attributes were taken */
} mft_record;

typedef struct mft_stats {
    uint64_t records;    /* FILE records parsed */
    uint64_t bad;        /* damaged records (bad fixups, attributes) */
    uint64_t empty;      /* never used records (no FILE signature) */
    uint64_t extensions; /* extension records (their base holds $SI) */
    uint64_t lists;      /* base records with an $ATTRIBUTE_LIST */
    uint64_t unjoined;   /* lists or extension records past the caps */
    uint32_t record_size;
} mft_stats;

/* Called once per name of a parsed base record (once, has_fn false, for a
 * record without a name). Return false to stop. */
typedef bool (*mft_record_cb)(void *user, const mft_record *r);

#define MFT_MAX_NAMES 64  /* $FILE_NAMEs kept per record and per file */
#define MFT_NAME_MAX  766 /* UTF-8 bytes of a 255-unit name, and NUL */

/* One $FILE_NAME of a record. */
typedef struct mft_name {
    uint64_t parent_ref;
    int64_t fn[4];
    const char *name; /* UTF-8, NUL-terminated, in the mft_parsed */
    size_t len;
    uint8_t space; /* 0 POSIX, 1 Win32, 2 DOS, 3 Win32 and DOS */
} mft_name;

/* One record as mft_parse_record() reads it. */
typedef struct mft_parsed {
    mft_record r;      /* r.name: its first non-DOS name, else the DOS one */
    uint64_t base_ref; /* an extension record: its base's reference; else 0 */
    bool has_data;     /* the unnamed $DATA's first extent is here (r.size) */
    bool has_list;     /* it holds an $ATTRIBUTE_LIST */
    const unsigned char *list; /* its value when resident, else NULL */
    size_t list_len;
    size_t name_count; /* names[], at most MFT_MAX_NAMES */
    mft_name names[MFT_MAX_NAMES];
    char text[MFT_MAX_NAMES * MFT_NAME_MAX];
} mft_parsed;

/* Parses the record rec (len bytes; its fixups are applied in place)
 * number number into *out (borrowing rec). Returns 1 for a base or an
 * extension record (out->base_ref tells), 0 for an empty one, -1 for a
 * damaged one. */
int mft_parse_record(unsigned char *rec, size_t len, uint64_t number,
                     mft_parsed *out);

/* Reads a $MFT from in to its end (record size from the first record's
 * header, else 1024). A base record's attributes moved to extension
 * records (named by its $ATTRIBUTE_LIST, resident or not) are joined to
 * it: such files are held until the end and handed over then, after the
 * others (record order otherwise). EXH_ERR_IO on a read error,
 * EXH_ERR_NOMEM, else EXH_OK; damage is counted in stats. */
exh_status mft_read(stream *in, mft_record_cb cb, void *user, mft_stats *stats);

/* ---- usn.c ----------------------------------------------------------------
 */

/* USN_RECORD reason flags exhunt uses (winioctl.h). */
#define USN_REASON_FILE_CREATE     0x00000100u
#define USN_REASON_FILE_DELETE     0x00000200u
#define USN_REASON_RENAME_OLD_NAME 0x00001000u
#define USN_REASON_RENAME_NEW_NAME 0x00002000u
#define USN_REASON_CLOSE           0x80000000u

/* One change record (USN_RECORD_V2 or V3; V4 range records carry no name
 * and are only counted). 128-bit V3 file ids are cut to their low 64 bits,
 * which hold the NTFS file reference. Borrowed, valid until the callback
 * returns. */
typedef struct usn_record {
    uint16_t major;                /* 2 or 3 */
    uint64_t file_ref, parent_ref; /* record number | sequence << 48 */
    int64_t usn;                   /* the record's offset in $J */
    int64_t time_ms;               /* INT64_MIN when zero */
    uint32_t reason;
    uint32_t attributes; /* FILE_ATTRIBUTE_* (0x10: a folder) */
    const char *name;    /* UTF-8 */
    size_t name_len;
} usn_record;

typedef struct usn_stats {
    uint64_t records;    /* V2 and V3 records handed over */
    uint64_t v4;         /* V4 range records, skipped */
    uint64_t bad;        /* 8-byte steps over bytes that are no record */
    uint64_t zero_bytes; /* sparse or padding zeros skipped */
    bool truncated;      /* the input ended inside a record */
} usn_stats;

typedef bool (*usn_record_cb)(void *user, const usn_record *r);

/* Reads a $UsnJrnl:$J from in to its end. EXH_ERR_IO on a read error,
 * EXH_ERR_NOMEM, else EXH_OK; damage is counted in stats. */
exh_status usn_read(stream *in, usn_record_cb cb, void *user, usn_stats *stats);

/* ---- shared by both -------------------------------------------------------
 */

/* Unix ms of a FILETIME (100-ns ticks since 1601); INT64_MIN for 0. */
int64_t ntfsmeta_filetime_ms(uint64_t ticks);
/* Writes count UTF-16LE units at p as UTF-8 into out (cap bytes, at least
 * 3 * count + 1; unpaired surrogates and NUL become U+FFFD); the length. */
size_t ntfsmeta_utf16(const unsigned char *p, size_t count, char *out,
                      size_t cap);

#endif
