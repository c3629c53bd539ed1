/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazylib.h - The Sleuth Kit, libqcow, libvshadow, libcurl, libarchive and
 * libyara, loaded when first needed.
 *
 * Only disk images need libtsk (and QCOW images libqcow, shadow copies
 * libvshadow), only `exhunt probe` libcurl, only .zip and .tar collections
 * libarchive and only files matched with YARA (web folders, binaries,
 * ExSetup.exe's version) libyara, but linked in they cost every run: they
 * bring 48 more shared libraries (afflib, sqlite, GnuTLS, Kerberos, LDAP,
 * libxml2, ICU, OpenSSL's libcrypto, libmagic, ...), whose loading and
 * relocation cost every start on the benchmark machine, where a page fault
 * takes 10 us or more. So lib/ does not link them: lazylib.c dlopen()s them
 * by their SONAME (found at build time, lib/soname.py) on first use and
 * fills a table of the functions lib/ calls. A file that calls them defines
 * LAZY_TSK, LAZY_QCOW, LAZY_VSHADOW, LAZY_CURL, LAZY_ARCHIVE or LAZY_YARA
 * and includes this header, which includes the library's own; the names
 * below then call through the table, so the code reads as if linked. Where
 * a load fails, image.c and archive.c report its message for the target;
 * exh_prober_run() returns EXH_ERR_ENGINE with it (exh_prober_errmsg());
 * yara_glue.c returns EXH_ERR_ENGINE and yara_load_error() gives it.
 *
 * Each lazy_<name>_load() is thread-safe and cheap after the first call;
 * it returns NULL when the library is loaded, else why it is not ("cannot
 * load libtsk.so.19: ...", static storage). No table function may be
 * called before its load returned NULL.
 */
#ifndef EXH_LAZYLIB_H
#define EXH_LAZYLIB_H

#include <stdbool.h>

#ifdef LAZY_TSK
#include <tsk/libtsk.h>
#define LAZY_TSK_FUNCS(X)                                                      \
    X(tsk_error_get)                                                           \
    X(tsk_error_reset)                                                         \
    X(tsk_error_set_errno)                                                     \
    X(tsk_error_set_errstr)                                                    \
    X(tsk_fs_close)                                                            \
    X(tsk_fs_dir_close)                                                        \
    X(tsk_fs_dir_get)                                                          \
    X(tsk_fs_dir_get_name)                                                     \
    X(tsk_fs_dir_getsize)                                                      \
    X(tsk_fs_dir_open_meta)                                                    \
    X(tsk_fs_file_attr_get_idx)                                                \
    X(tsk_fs_file_attr_get_type)                                               \
    X(tsk_fs_file_attr_getsize)                                                \
    X(tsk_fs_file_close)                                                       \
    X(tsk_fs_file_get_owner_sid)                                               \
    X(tsk_fs_file_open)                                                        \
    X(tsk_fs_file_open_meta)                                                   \
    X(tsk_fs_file_read)                                                        \
    X(tsk_fs_file_read_type)                                                   \
    X(tsk_fs_open_img)                                                         \
    X(tsk_img_close)                                                           \
    X(tsk_img_open_external)                                                   \
    X(tsk_img_open_utf8_sing)                                                  \
    X(tsk_img_read)                                                            \
    X(tsk_vs_close)                                                            \
    X(tsk_vs_open)                                                             \
    X(tsk_vs_part_get)

#define LAZY_FIELD(f) __typeof__(&f) f;
struct lazy_tsk_table {
    LAZY_TSK_FUNCS(LAZY_FIELD)
};
#undef LAZY_FIELD
extern struct lazy_tsk_table lazy_tsk;

#ifndef LAZY_DEFINING
#define tsk_error_get             (*lazy_tsk.tsk_error_get)
#define tsk_error_reset           (*lazy_tsk.tsk_error_reset)
#define tsk_error_set_errno       (*lazy_tsk.tsk_error_set_errno)
#define tsk_error_set_errstr      (*lazy_tsk.tsk_error_set_errstr)
#define tsk_fs_close              (*lazy_tsk.tsk_fs_close)
#define tsk_fs_dir_close          (*lazy_tsk.tsk_fs_dir_close)
#define tsk_fs_dir_get            (*lazy_tsk.tsk_fs_dir_get)
#define tsk_fs_dir_get_name       (*lazy_tsk.tsk_fs_dir_get_name)
#define tsk_fs_dir_getsize        (*lazy_tsk.tsk_fs_dir_getsize)
#define tsk_fs_dir_open_meta      (*lazy_tsk.tsk_fs_dir_open_meta)
#define tsk_fs_file_attr_get_idx  (*lazy_tsk.tsk_fs_file_attr_get_idx)
#define tsk_fs_file_attr_get_type (*lazy_tsk.tsk_fs_file_attr_get_type)
#define tsk_fs_file_attr_getsize  (*lazy_tsk.tsk_fs_file_attr_getsize)
#define tsk_fs_file_close         (*lazy_tsk.tsk_fs_file_close)
#define tsk_fs_file_get_owner_sid (*lazy_tsk.tsk_fs_file_get_owner_sid)
#define tsk_fs_file_open          (*lazy_tsk.tsk_fs_file_open)
#define tsk_fs_file_open_meta     (*lazy_tsk.tsk_fs_file_open_meta)
#define tsk_fs_file_read          (*lazy_tsk.tsk_fs_file_read)
#define tsk_fs_file_read_type     (*lazy_tsk.tsk_fs_file_read_type)
#define tsk_fs_open_img           (*lazy_tsk.tsk_fs_open_img)
#define tsk_img_close             (*lazy_tsk.tsk_img_close)
#define tsk_img_open_external     (*lazy_tsk.tsk_img_open_external)
#define tsk_img_open_utf8_sing    (*lazy_tsk.tsk_img_open_utf8_sing)
#define tsk_img_read              (*lazy_tsk.tsk_img_read)
#define tsk_vs_close              (*lazy_tsk.tsk_vs_close)
#define tsk_vs_open               (*lazy_tsk.tsk_vs_open)
#define tsk_vs_part_get           (*lazy_tsk.tsk_vs_part_get)
#endif
#endif /* LAZY_TSK */

#ifdef LAZY_CURL
#include <curl/curl.h>
#define LAZY_CURL_FUNCS(X)                                                     \
    X(curl_easy_cleanup)                                                       \
    X(curl_easy_getinfo)                                                       \
    X(curl_easy_init)                                                          \
    X(curl_easy_setopt)                                                        \
    X(curl_easy_strerror)                                                      \
    X(curl_global_cleanup)                                                     \
    X(curl_global_init)                                                        \
    X(curl_multi_add_handle)                                                   \
    X(curl_multi_cleanup)                                                      \
    X(curl_multi_info_read)                                                    \
    X(curl_multi_init)                                                         \
    X(curl_multi_perform)                                                      \
    X(curl_multi_poll)                                                         \
    X(curl_multi_remove_handle)

/* curl.h's type-checking wrappers call the linked function by name. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define LAZY_FIELD(f) __typeof__(&f) f;
struct lazy_curl_table {
    LAZY_CURL_FUNCS(LAZY_FIELD)
};
#undef LAZY_FIELD
extern struct lazy_curl_table lazy_curl;

#ifndef LAZY_DEFINING
#define curl_easy_cleanup        (*lazy_curl.curl_easy_cleanup)
#define curl_easy_getinfo        (*lazy_curl.curl_easy_getinfo)
#define curl_easy_init           (*lazy_curl.curl_easy_init)
#define curl_easy_setopt         (*lazy_curl.curl_easy_setopt)
#define curl_easy_strerror       (*lazy_curl.curl_easy_strerror)
#define curl_global_cleanup      (*lazy_curl.curl_global_cleanup)
#define curl_global_init         (*lazy_curl.curl_global_init)
#define curl_multi_add_handle    (*lazy_curl.curl_multi_add_handle)
#define curl_multi_cleanup       (*lazy_curl.curl_multi_cleanup)
#define curl_multi_info_read     (*lazy_curl.curl_multi_info_read)
#define curl_multi_init          (*lazy_curl.curl_multi_init)
#define curl_multi_perform       (*lazy_curl.curl_multi_perform)
#define curl_multi_poll          (*lazy_curl.curl_multi_poll)
#define curl_multi_remove_handle (*lazy_curl.curl_multi_remove_handle)
#endif
#endif /* LAZY_CURL */

#ifdef LAZY_ARCHIVE
#include <archive.h>
#include <archive_entry.h>
#define LAZY_ARCHIVE_FUNCS(X)                                                  \
    X(archive_entry_birthtime)                                                 \
    X(archive_entry_birthtime_is_set)                                          \
    X(archive_entry_birthtime_nsec)                                            \
    X(archive_entry_filetype)                                                  \
    X(archive_entry_hardlink)                                                  \
    X(archive_entry_is_data_encrypted)                                         \
    X(archive_entry_mtime)                                                     \
    X(archive_entry_mtime_is_set)                                              \
    X(archive_entry_mtime_nsec)                                                \
    X(archive_entry_pathname)                                                  \
    X(archive_entry_pathname_utf8)                                             \
    X(archive_entry_size)                                                      \
    X(archive_entry_size_is_set)                                               \
    X(archive_error_string)                                                    \
    X(archive_format)                                                          \
    X(archive_read_add_passphrase)                                             \
    X(archive_read_data)                                                       \
    X(archive_read_free)                                                       \
    X(archive_read_new)                                                        \
    X(archive_read_next_header)                                                \
    X(archive_read_open)                                                       \
    X(archive_read_open_fd)                                                    \
    X(archive_read_support_filter_bzip2)                                       \
    X(archive_read_support_filter_gzip)                                        \
    X(archive_read_support_filter_xz)                                          \
    X(archive_read_support_format_raw)                                         \
    X(archive_read_support_format_tar)                                         \
    X(archive_read_support_format_zip)

#define LAZY_FIELD(f) __typeof__(&f) f;
struct lazy_archive_table {
    LAZY_ARCHIVE_FUNCS(LAZY_FIELD)
};
#undef LAZY_FIELD
extern struct lazy_archive_table lazy_archive;

#ifndef LAZY_DEFINING
#define archive_entry_birthtime (*lazy_archive.archive_entry_birthtime)
#define archive_entry_birthtime_is_set                                         \
    (*lazy_archive.archive_entry_birthtime_is_set)
#define archive_entry_birthtime_nsec                                           \
    (*lazy_archive.archive_entry_birthtime_nsec)
#define archive_entry_filetype (*lazy_archive.archive_entry_filetype)
#define archive_entry_hardlink (*lazy_archive.archive_entry_hardlink)
#define archive_entry_is_data_encrypted                                        \
    (*lazy_archive.archive_entry_is_data_encrypted)
#define archive_entry_mtime         (*lazy_archive.archive_entry_mtime)
#define archive_entry_mtime_is_set  (*lazy_archive.archive_entry_mtime_is_set)
#define archive_entry_mtime_nsec    (*lazy_archive.archive_entry_mtime_nsec)
#define archive_entry_pathname      (*lazy_archive.archive_entry_pathname)
#define archive_entry_pathname_utf8 (*lazy_archive.archive_entry_pathname_utf8)
#define archive_entry_size          (*lazy_archive.archive_entry_size)
#define archive_entry_size_is_set   (*lazy_archive.archive_entry_size_is_set)
#define archive_error_string        (*lazy_archive.archive_error_string)
#define archive_format              (*lazy_archive.archive_format)
#define archive_read_add_passphrase (*lazy_archive.archive_read_add_passphrase)
#define archive_read_data           (*lazy_archive.archive_read_data)
#define archive_read_free           (*lazy_archive.archive_read_free)
#define archive_read_new            (*lazy_archive.archive_read_new)
#define archive_read_next_header    (*lazy_archive.archive_read_next_header)
#define archive_read_open           (*lazy_archive.archive_read_open)
#define archive_read_open_fd        (*lazy_archive.archive_read_open_fd)
#define archive_read_support_filter_bzip2                                      \
    (*lazy_archive.archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip                                       \
    (*lazy_archive.archive_read_support_filter_gzip)
#define archive_read_support_filter_xz                                         \
    (*lazy_archive.archive_read_support_filter_xz)
#define archive_read_support_format_raw                                        \
    (*lazy_archive.archive_read_support_format_raw)
#define archive_read_support_format_tar                                        \
    (*lazy_archive.archive_read_support_format_tar)
#define archive_read_support_format_zip                                        \
    (*lazy_archive.archive_read_support_format_zip)
#endif
#endif /* LAZY_ARCHIVE */

#ifdef LAZY_YARA
#include <yara.h>
#define LAZY_YARA_FUNCS(X)                                                     \
    X(yr_compiler_add_string)                                                  \
    X(yr_compiler_create)                                                      \
    X(yr_compiler_define_string_variable)                                      \
    X(yr_compiler_destroy)                                                     \
    X(yr_compiler_get_rules)                                                   \
    X(yr_compiler_set_callback)                                                \
    X(yr_compiler_set_include_callback)                                        \
    X(yr_finalize)                                                             \
    X(yr_initialize)                                                           \
    X(yr_rules_destroy)                                                        \
    X(yr_rules_scan_mem)                                                       \
    X(yr_scanner_create)                                                       \
    X(yr_scanner_define_string_variable)                                       \
    X(yr_scanner_destroy)                                                      \
    X(yr_scanner_scan_mem)                                                     \
    X(yr_scanner_set_callback)                                                 \
    X(yr_scanner_set_flags)                                                    \
    X(yr_scanner_set_timeout)

#define LAZY_FIELD(f) __typeof__(&f) f;
struct lazy_yara_table {
    LAZY_YARA_FUNCS(LAZY_FIELD)
};
#undef LAZY_FIELD
extern struct lazy_yara_table lazy_yara;

#ifndef LAZY_DEFINING
#define yr_compiler_add_string (*lazy_yara.yr_compiler_add_string)
#define yr_compiler_create     (*lazy_yara.yr_compiler_create)
#define yr_compiler_define_string_variable                                     \
    (*lazy_yara.yr_compiler_define_string_variable)
#define yr_compiler_destroy      (*lazy_yara.yr_compiler_destroy)
#define yr_compiler_get_rules    (*lazy_yara.yr_compiler_get_rules)
#define yr_compiler_set_callback (*lazy_yara.yr_compiler_set_callback)
#define yr_compiler_set_include_callback                                       \
    (*lazy_yara.yr_compiler_set_include_callback)
#define yr_finalize       (*lazy_yara.yr_finalize)
#define yr_initialize     (*lazy_yara.yr_initialize)
#define yr_rules_destroy  (*lazy_yara.yr_rules_destroy)
#define yr_rules_scan_mem (*lazy_yara.yr_rules_scan_mem)
#define yr_scanner_create (*lazy_yara.yr_scanner_create)
#define yr_scanner_define_string_variable                                      \
    (*lazy_yara.yr_scanner_define_string_variable)
#define yr_scanner_destroy      (*lazy_yara.yr_scanner_destroy)
#define yr_scanner_scan_mem     (*lazy_yara.yr_scanner_scan_mem)
#define yr_scanner_set_callback (*lazy_yara.yr_scanner_set_callback)
#define yr_scanner_set_flags    (*lazy_yara.yr_scanner_set_flags)
#define yr_scanner_set_timeout  (*lazy_yara.yr_scanner_set_timeout)
#endif
#endif /* LAZY_YARA */

#ifdef LAZY_QCOW
#include <libqcow.h>
#define LAZY_QCOW_FUNCS(X)                                                     \
    X(libqcow_error_free)                                                      \
    X(libqcow_file_close)                                                      \
    X(libqcow_file_free)                                                       \
    X(libqcow_file_get_encryption_method)                                      \
    X(libqcow_file_get_media_size)                                             \
    X(libqcow_file_initialize)                                                 \
    X(libqcow_file_open)                                                       \
    X(libqcow_file_read_buffer_at_offset)

#define LAZY_FIELD(f) __typeof__(&f) f;
struct lazy_qcow_table {
    LAZY_QCOW_FUNCS(LAZY_FIELD)
};
#undef LAZY_FIELD
extern struct lazy_qcow_table lazy_qcow;

#ifndef LAZY_DEFINING
#define libqcow_error_free (*lazy_qcow.libqcow_error_free)
#define libqcow_file_close (*lazy_qcow.libqcow_file_close)
#define libqcow_file_free  (*lazy_qcow.libqcow_file_free)
#define libqcow_file_get_encryption_method                                     \
    (*lazy_qcow.libqcow_file_get_encryption_method)
#define libqcow_file_get_media_size (*lazy_qcow.libqcow_file_get_media_size)
#define libqcow_file_initialize     (*lazy_qcow.libqcow_file_initialize)
#define libqcow_file_open           (*lazy_qcow.libqcow_file_open)
#define libqcow_file_read_buffer_at_offset                                     \
    (*lazy_qcow.libqcow_file_read_buffer_at_offset)
#endif
#endif /* LAZY_QCOW */

#ifdef LAZY_VSHADOW
/* libvshadow declares its libbfio entry points only when asked to. */
#define LIBVSHADOW_HAVE_BFIO 1
#include <libvshadow.h>
#define LAZY_VSHADOW_FUNCS(X)                                                  \
    X(libvshadow_check_volume_signature_file_io_handle)                        \
    X(libvshadow_error_free)                                                   \
    X(libvshadow_error_sprint)                                                 \
    X(libvshadow_store_free)                                                   \
    X(libvshadow_store_get_creation_time)                                      \
    X(libvshadow_store_get_volume_size)                                        \
    X(libvshadow_store_read_buffer_at_offset)                                  \
    X(libvshadow_volume_close)                                                 \
    X(libvshadow_volume_free)                                                  \
    X(libvshadow_volume_get_number_of_stores)                                  \
    X(libvshadow_volume_get_store)                                             \
    X(libvshadow_volume_initialize)                                            \
    X(libvshadow_volume_open_file_io_handle)

#define LAZY_FIELD(f) __typeof__(&f) f;
struct lazy_vshadow_table {
    LAZY_VSHADOW_FUNCS(LAZY_FIELD)
};
#undef LAZY_FIELD
extern struct lazy_vshadow_table lazy_vshadow;

#ifndef LAZY_DEFINING
#define libvshadow_check_volume_signature_file_io_handle                       \
    (*lazy_vshadow.libvshadow_check_volume_signature_file_io_handle)
#define libvshadow_error_free   (*lazy_vshadow.libvshadow_error_free)
#define libvshadow_error_sprint (*lazy_vshadow.libvshadow_error_sprint)
#define libvshadow_store_free   (*lazy_vshadow.libvshadow_store_free)
#define libvshadow_store_get_creation_time                                     \
    (*lazy_vshadow.libvshadow_store_get_creation_time)
#define libvshadow_store_get_volume_size                                       \
    (*lazy_vshadow.libvshadow_store_get_volume_size)
#define libvshadow_store_read_buffer_at_offset                                 \
    (*lazy_vshadow.libvshadow_store_read_buffer_at_offset)
#define libvshadow_volume_close (*lazy_vshadow.libvshadow_volume_close)
#define libvshadow_volume_free  (*lazy_vshadow.libvshadow_volume_free)
#define libvshadow_volume_get_number_of_stores                                 \
    (*lazy_vshadow.libvshadow_volume_get_number_of_stores)
#define libvshadow_volume_get_store (*lazy_vshadow.libvshadow_volume_get_store)
#define libvshadow_volume_initialize                                           \
    (*lazy_vshadow.libvshadow_volume_initialize)
#define libvshadow_volume_open_file_io_handle                                  \
    (*lazy_vshadow.libvshadow_volume_open_file_io_handle)
#endif
#endif /* LAZY_VSHADOW */

const char *lazy_tsk_load(void);
const char *lazy_curl_load(void);
const char *lazy_archive_load(void);
const char *lazy_yara_load(void);
const char *lazy_qcow_load(void);
const char *lazy_vshadow_load(void);

#endif /* EXH_LAZYLIB_H */
