//go:build cgo

package jp2

/*
#cgo pkg-config: libopenjp2
#include <stdlib.h>
#include <string.h>
#include <openjpeg.h>

// memstream is the user data of an input opj_stream: a C copy of the
// input and a read position.
typedef struct {
	const unsigned char *data;
	OPJ_SIZE_T len;
	OPJ_SIZE_T pos;
} memstream;

static OPJ_SIZE_T ms_read(void *buf, OPJ_SIZE_T n, void *user) {
	memstream *m = (memstream *)user;
	if (m->pos >= m->len) {
		return (OPJ_SIZE_T)-1; // end of stream, as OpenJPEG expects
	}
	OPJ_SIZE_T left = m->len - m->pos;
	if (n > left) {
		n = left;
	}
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return n;
}

static OPJ_OFF_T ms_skip(OPJ_OFF_T n, void *user) {
	memstream *m = (memstream *)user;
	if (n <= 0) {
		return (OPJ_OFF_T)-1;
	}
	OPJ_SIZE_T left = m->len - m->pos;
	if ((OPJ_UINT64)n > (OPJ_UINT64)left) {
		n = (OPJ_OFF_T)left;
	}
	if (n == 0) {
		return (OPJ_OFF_T)-1; // nothing left: a 0 would loop forever
	}
	m->pos += (OPJ_SIZE_T)n;
	return n;
}

static OPJ_BOOL ms_seek(OPJ_OFF_T off, void *user) {
	memstream *m = (memstream *)user;
	if (off < 0 || (OPJ_UINT64)off > (OPJ_UINT64)m->len) {
		return OPJ_FALSE;
	}
	m->pos = (OPJ_SIZE_T)off;
	return OPJ_TRUE;
}

// msglog collects OpenJPEG's messages, separated by '\n', dropping what
// does not fit.
enum { msglog_cap = 2048 };
typedef struct {
	char buf[msglog_cap];
	size_t len;
	int count;
} msglog;

static void msglog_add(msglog *l, const char *prefix, const char *msg) {
	l->count++;
	size_t p = strlen(prefix), n = strlen(msg);
	while (n > 0 && (msg[n-1] == '\n' || msg[n-1] == '\r')) {
		n--;
	}
	if (l->len + p + n + 2 > msglog_cap) {
		return;
	}
	memcpy(l->buf + l->len, prefix, p);
	l->len += p;
	memcpy(l->buf + l->len, msg, n);
	l->len += n;
	l->buf[l->len++] = '\n';
	l->buf[l->len] = 0;
}

typedef struct {
	msglog log;
	int warnings;
} decode_ctx;

static void on_error(const char *msg, void *user) {
	msglog_add(&((decode_ctx *)user)->log, "error: ", msg);
}

static void on_warning(const char *msg, void *user) {
	decode_ctx *c = (decode_ctx *)user;
	c->warnings++;
	msglog_add(&c->log, "warning: ", msg);
}

// Results of jp2_decode.
enum {
	jp2_ok = 0,
	jp2_err_codec,     // creating or setting up the codec
	jp2_err_header,    // opj_read_header failed
	jp2_err_too_large, // header beyond the limits
	jp2_err_layout,    // component layout this binding does not take
	jp2_err_decode,    // opj_decode failed
	jp2_err_end,       // opj_end_decompress failed
};

// jp2_decode decodes len bytes at data. The header is checked against the
// limits before opj_decode allocates the image. On jp2_ok, *out holds the
// image for the caller to opj_image_destroy.
static int jp2_decode(const unsigned char *data, size_t len, int is_jp2,
		OPJ_UINT32 max_w, OPJ_UINT32 max_h, OPJ_UINT32 max_comps,
		decode_ctx *ctx, opj_image_t **out) {
	*out = NULL;
	memstream ms = { data, len, 0 };
	opj_codec_t *codec = opj_create_decompress(is_jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
	if (codec == NULL) {
		return jp2_err_codec;
	}
	opj_set_error_handler(codec, on_error, ctx);
	opj_set_warning_handler(codec, on_warning, ctx);
	opj_set_info_handler(codec, NULL, NULL);

	opj_dparameters_t params;
	opj_set_default_decoder_parameters(&params);
	int rc = jp2_ok;
	opj_stream_t *stream = NULL;
	opj_image_t *image = NULL;
	if (!opj_setup_decoder(codec, &params) || !opj_decoder_set_strict_mode(codec, OPJ_TRUE)) {
		rc = jp2_err_codec;
		goto done;
	}
	stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
	if (stream == NULL) {
		rc = jp2_err_codec;
		goto done;
	}
	opj_stream_set_user_data(stream, &ms, NULL);
	opj_stream_set_user_data_length(stream, (OPJ_UINT64)len);
	opj_stream_set_read_function(stream, ms_read);
	opj_stream_set_skip_function(stream, ms_skip);
	opj_stream_set_seek_function(stream, ms_seek);

	if (!opj_read_header(stream, codec, &image) || image == NULL) {
		rc = jp2_err_header;
		goto done;
	}
	if (image->x1 <= image->x0 || image->y1 <= image->y0 ||
			image->x1 - image->x0 > max_w || image->y1 - image->y0 > max_h ||
			image->numcomps == 0 || image->numcomps > max_comps) {
		rc = jp2_err_too_large;
		goto done;
	}
	for (OPJ_UINT32 i = 0; i < image->numcomps; i++) {
		if (image->comps[i].dx != 1 || image->comps[i].dy != 1) {
			rc = jp2_err_layout;
			goto done;
		}
	}
	if (!opj_decode(codec, stream, image)) {
		rc = jp2_err_decode;
		goto done;
	}
	if (!opj_end_decompress(codec, stream)) {
		rc = jp2_err_end;
		goto done;
	}
	*out = image;
	image = NULL;
done:
	if (image != NULL) {
		opj_image_destroy(image);
	}
	if (stream != NULL) {
		opj_stream_destroy(stream);
	}
	opj_destroy_codec(codec);
	return rc;
}

static opj_image_comp_t *jp2_comp(opj_image_t *img, OPJ_UINT32 i) {
	return &img->comps[i];
}
*/
import "C"

import (
	"fmt"
	"image"
	"strings"
	"unsafe"
)

// cgoEnabled reports whether this build decodes through OpenJPEG.
const cgoEnabled = true

// stageName names the step a jp2_decode result code failed at.
func stageName(rc C.int) string {
	switch rc {
	case C.jp2_err_codec:
		return "setting up the decoder"
	case C.jp2_err_header:
		return "reading header"
	case C.jp2_err_too_large:
		return "checking header against limits"
	case C.jp2_err_layout:
		return "checking component layout"
	case C.jp2_err_decode:
		return "decoding"
	case C.jp2_err_end:
		return "finishing decoding"
	}
	return fmt.Sprintf("decoding (result %d)", int(rc))
}

func decode(b []byte, format string, lim Limits, failOnWarning bool) (image.Image, error) {
	data := C.CBytes(b)
	defer C.free(data)
	ctx := (*C.decode_ctx)(C.calloc(1, C.sizeof_decode_ctx))
	if ctx == nil {
		return nil, &DecodeError{Stage: "allocating decoder state"}
	}
	defer C.free(unsafe.Pointer(ctx))

	isJP2 := C.int(0)
	if format == FormatJP2 {
		isJP2 = 1
	}
	var img *C.opj_image_t
	rc := C.jp2_decode((*C.uchar)(data), C.size_t(len(b)), isJP2,
		C.OPJ_UINT32(lim.MaxWidth), C.OPJ_UINT32(lim.MaxHeight), C.OPJ_UINT32(lim.MaxComponents),
		ctx, &img)
	messages := splitLog(C.GoStringN(&ctx.log.buf[0], C.int(ctx.log.len)))
	if rc != C.jp2_ok {
		e := &DecodeError{Stage: stageName(rc), Messages: messages}
		switch rc {
		case C.jp2_err_too_large:
			e.Err = ErrTooLarge
		case C.jp2_err_layout:
			e.Err = ErrUnsupported
		}
		return nil, e
	}
	defer C.opj_image_destroy(img)
	if failOnWarning && ctx.warnings > 0 {
		return nil, &DecodeError{Stage: "decoding (warnings refused)", Messages: messages}
	}
	switch img.color_space {
	case C.OPJ_CLRSPC_SYCC, C.OPJ_CLRSPC_EYCC, C.OPJ_CLRSPC_CMYK:
		return nil, &DecodeError{Stage: fmt.Sprintf("converting colour space %d", int(img.color_space)), Err: ErrUnsupported}
	}

	n := int(img.numcomps)
	c0 := C.jp2_comp(img, 0)
	w, h := int(c0.w), int(c0.h)
	comps := make([]component, n)
	for i := range n {
		c := C.jp2_comp(img, C.OPJ_UINT32(i))
		if int(c.w) != w || int(c.h) != h || c.data == nil {
			return nil, &DecodeError{Stage: "checking component sizes", Err: ErrUnsupported}
		}
		comps[i] = component{
			prec:   uint(c.prec),
			signed: c.sgnd != 0,
			// Points into OpenJPEG's memory; toImage copies it out
			// before the deferred opj_image_destroy.
			data: unsafe.Slice((*int32)(unsafe.Pointer(c.data)), w*h),
		}
	}
	out, err := toImage(w, h, comps)
	if err != nil {
		return nil, &DecodeError{Stage: "converting", Err: err}
	}
	return out, nil
}

func splitLog(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
