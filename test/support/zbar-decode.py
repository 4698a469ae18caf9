# Decodes QR codes with the system's libzbar (a decoder Vigil did not write), to check the
# console's own QR encoder. Reads a JSON list of {"w","h","file"} (raw 8-bit grey, Y800) on stdin
# and prints a JSON list of the decoded texts (null where nothing was found).
import ctypes, ctypes.util, json, sys

lib = ctypes.CDLL(ctypes.util.find_library('zbar') or 'libzbar.so.0')
lib.zbar_image_scanner_create.restype = ctypes.c_void_p
lib.zbar_image_scanner_set_config.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
lib.zbar_image_create.restype = ctypes.c_void_p
lib.zbar_image_set_format.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
lib.zbar_image_set_size.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
lib.zbar_image_set_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
lib.zbar_scan_image.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
lib.zbar_image_first_symbol.argtypes = [ctypes.c_void_p]
lib.zbar_image_first_symbol.restype = ctypes.c_void_p
lib.zbar_symbol_get_data.argtypes = [ctypes.c_void_p]
lib.zbar_symbol_get_data.restype = ctypes.c_void_p
lib.zbar_symbol_get_data_length.argtypes = [ctypes.c_void_p]
lib.zbar_symbol_get_data_length.restype = ctypes.c_uint
lib.zbar_image_destroy.argtypes = [ctypes.c_void_p]

ZBAR_NONE, ZBAR_QRCODE, ZBAR_CFG_ENABLE = 0, 64, 0
Y800 = ord('Y') | ord('8') << 8 | ord('0') << 16 | ord('0') << 24

scanner = lib.zbar_image_scanner_create()
lib.zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
lib.zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)

out = []
for job in json.load(sys.stdin):
    with open(job['file'], 'rb') as f:
        pixels = f.read()
    buf = ctypes.create_string_buffer(pixels, len(pixels))
    image = lib.zbar_image_create()
    lib.zbar_image_set_format(image, Y800)
    lib.zbar_image_set_size(image, job['w'], job['h'])
    lib.zbar_image_set_data(image, buf, len(pixels), None)
    found = None
    if lib.zbar_scan_image(scanner, image) > 0:
        sym = lib.zbar_image_first_symbol(image)
        data = ctypes.string_at(lib.zbar_symbol_get_data(sym), lib.zbar_symbol_get_data_length(sym))
        found = data.decode('utf-8', 'replace')
    out.append(found)
    lib.zbar_image_destroy(image)
print(json.dumps(out))
