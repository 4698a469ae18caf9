// The 20-digit national ID (地址码) of GB/T 28181 (rule A): centre code (8: GB/T 2260 division
// + 2 grass-roots digits), industry (2), type (3), network (1), serial (6). The first 10 digits
// are the SIP domain. Tables follow the standard as used by deployed platforms; see
// notes/gb28181-and-standards.md §1.1.
import { Errors } from '../errors.js';
import type { Bilingual } from './jurisdiction-profile.js';

/** Provinces of GB/T 2260: the first two digits of every division code. */
export const PROVINCES: Readonly<Record<string, string>> = {
  '11': '北京市', '12': '天津市', '13': '河北省', '14': '山西省', '15': '内蒙古自治区',
  '21': '辽宁省', '22': '吉林省', '23': '黑龙江省',
  '31': '上海市', '32': '江苏省', '33': '浙江省', '34': '安徽省', '35': '福建省', '36': '江西省', '37': '山东省',
  '41': '河南省', '42': '湖北省', '43': '湖南省', '44': '广东省', '45': '广西壮族自治区', '46': '海南省',
  '50': '重庆市', '51': '四川省', '52': '贵州省', '53': '云南省', '54': '西藏自治区',
  '61': '陕西省', '62': '甘肃省', '63': '青海省', '64': '宁夏回族自治区', '65': '新疆维吾尔自治区',
  '71': '台湾省', '81': '香港特别行政区', '82': '澳门特别行政区',
};

export const INDUSTRIES: Readonly<Record<string, Bilingual>> = {
  '00': { zh: '社会治安路面接入', en: 'public order: streets' },
  '01': { zh: '社会治安社区接入', en: 'public order: communities' },
  '02': { zh: '社会治安内部接入', en: 'public order: internal' },
  '03': { zh: '社会治安其他接入', en: 'public order: other' },
  '04': { zh: '交通路面接入', en: 'traffic: roads' },
  '05': { zh: '交通卡口接入', en: 'traffic: checkpoints' },
  '06': { zh: '交通内部接入', en: 'traffic: internal' },
  '07': { zh: '交通其他接入', en: 'traffic: other' },
  '08': { zh: '城市管理接入', en: 'city management' },
  '09': { zh: '卫生环保接入', en: 'health and environment' },
  '10': { zh: '商检海关接入', en: 'inspection and customs' },
  '11': { zh: '教育部门接入', en: 'education' },
  '12': { zh: '民航接入', en: 'civil aviation' },
  '13': { zh: '铁路接入', en: 'railways' },
  '14': { zh: '航运接入', en: 'shipping' },
  '40': { zh: '农、林、牧、渔业接入', en: 'agriculture, forestry, husbandry, fishery' },
  '41': { zh: '采矿业接入', en: 'mining' },
  '42': { zh: '制造业接入', en: 'manufacturing' },
  '43': { zh: '电力、热力、燃气及水生产和供应业接入', en: 'power, heat, gas and water supply' },
  '44': { zh: '建筑业接入', en: 'construction' },
  '45': { zh: '批发和零售业接入', en: 'wholesale and retail' },
};

export type DeviceTypeClass = 'front-end-main' | 'front-end-peripheral' | 'platform' | 'central-user' | 'end-user' | 'external-server';

const T = (zh: string, en: string, cls: DeviceTypeClass) => ({ zh, en, class: cls });
export const DEVICE_TYPES: Readonly<Record<string, Bilingual & { class: DeviceTypeClass }>> = {
  '111': T('DVR', 'DVR', 'front-end-main'),
  '112': T('视频服务器', 'video server', 'front-end-main'),
  '113': T('编码器', 'encoder', 'front-end-main'),
  '114': T('解码器', 'decoder', 'front-end-main'),
  '115': T('视频切换矩阵', 'video switching matrix', 'front-end-main'),
  '116': T('音频切换矩阵', 'audio switching matrix', 'front-end-main'),
  '117': T('报警控制器', 'alarm controller', 'front-end-main'),
  '118': T('网络视频录像机（NVR）', 'NVR', 'front-end-main'),
  '120': T('在线视频图像信息采集系统', 'online video collection system', 'front-end-main'),
  '121': T('视频卡口', 'video checkpoint', 'front-end-main'),
  '122': T('多目设备', 'multi-lens device', 'front-end-main'),
  '123': T('停车场出入口控制设备', 'car park entry control', 'front-end-main'),
  '124': T('人员出入口控制设备', 'pedestrian entry control', 'front-end-main'),
  '125': T('安检设备', 'security screening device', 'front-end-main'),
  '130': T('混合硬盘录像机（HVR）', 'HVR', 'front-end-main'),
  '131': T('摄像机', 'camera', 'front-end-peripheral'),
  '132': T('网络摄像机（IPC）', 'IP camera', 'front-end-peripheral'),
  '133': T('显示器', 'monitor', 'front-end-peripheral'),
  '134': T('报警输入设备', 'alarm input', 'front-end-peripheral'),
  '135': T('报警输出设备', 'alarm output', 'front-end-peripheral'),
  '136': T('语音输入设备', 'audio input', 'front-end-peripheral'),
  '137': T('语音输出设备', 'audio output', 'front-end-peripheral'),
  '138': T('移动传输设备', 'mobile transmission device', 'front-end-peripheral'),
  '139': T('其他外围设备', 'other peripheral', 'front-end-peripheral'),
  '140': T('报警输出设备（继电器或触发器控制）', 'alarm output (relay)', 'front-end-peripheral'),
  '141': T('道闸', 'barrier gate', 'front-end-peripheral'),
  '142': T('智能门', 'smart door', 'front-end-peripheral'),
  '143': T('凭证识别单元', 'credential reader', 'front-end-peripheral'),
  '200': T('中心信令控制服务器', 'central signalling server (platform)', 'platform'),
  '201': T('Web应用服务器', 'web application server', 'platform'),
  '203': T('代理服务器', 'proxy server', 'platform'),
  '204': T('安全服务器', 'security server', 'platform'),
  '205': T('报警服务器', 'alarm server', 'platform'),
  '206': T('数据库服务器', 'database server', 'platform'),
  '207': T('GIS服务器', 'GIS server', 'platform'),
  '208': T('管理服务器', 'management server', 'platform'),
  '209': T('接入网关', 'access gateway', 'platform'),
  '210': T('媒体存储服务器', 'media storage server', 'platform'),
  '211': T('信令安全路由网关', 'signalling security routing gateway', 'platform'),
  '215': T('业务分组', 'business group', 'platform'),
  '216': T('虚拟组织', 'virtual organisation', 'platform'),
  '300': T('中心用户', 'central user', 'central-user'),
  '400': T('终端用户', 'end user', 'end-user'),
  '500': T('视频图像信息综合应用平台', 'video information application platform', 'external-server'),
  '501': T('视频图像信息运维管理平台', 'video operation and maintenance platform', 'external-server'),
  '502': T('视频图像分析系统', 'video analysis system', 'external-server'),
  '503': T('视频图像信息数据库', 'video information database', 'external-server'),
  '505': T('视频图像分析设备', 'video analysis device', 'external-server'),
};

/** 9 is reserved. */
export const NETWORKS: Readonly<Record<string, Bilingual>> = {
  '0': { zh: '公安视频传输网', en: 'police video transmission network' },
  '1': { zh: '公安视频传输网', en: 'police video transmission network' },
  '2': { zh: '行业专网', en: 'industry private network' },
  '3': { zh: '政法信息网', en: 'political-legal network' },
  '4': { zh: '公安移动信息网', en: 'police mobile network' },
  '5': { zh: '公安信息网', en: 'police information network' },
  '6': { zh: '电子政务外网', en: 'e-government extranet' },
  '7': { zh: '互联网等公共网络', en: 'internet and other public networks' },
  '8': { zh: '专线', en: 'leased line' },
};

export interface NationalId {
  code: string;
  /** 8 digits: division code + grass-roots unit. */
  centre: string;
  /** 6-digit GB/T 2260 division code (the first 6 centre digits). */
  divisionCode: string;
  province: string;
  provinceName: string;
  industry: string;
  industryName: Bilingual;
  type: string;
  typeName: Bilingual;
  typeClass: DeviceTypeClass;
  network: string;
  networkName: Bilingual;
  serial: string;
  /** SIP domain: the first 10 digits. */
  domain: string;
}

export type NationalIdField = 'code' | 'centre' | 'industry' | 'type' | 'network' | 'serial';
export type NationalIdResult = { ok: true; id: NationalId } | { ok: false; reason: string; field: NationalIdField };

const fail = (field: NationalIdField, reason: string): NationalIdResult => ({ ok: false, field, reason });

/** Never throws: any input gives a result with a reason a person can act on. */
export function parseNationalId(input: unknown): NationalIdResult {
  if (typeof input !== 'string') return fail('code', 'a national ID is a string of 20 digits');
  if (input.length !== 20) {
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    return fail('code', `a national ID has 20 digits; "${shown}" has ${input.length} characters`);
  }
  const bad = input.search(/[^0-9]/);
  if (bad >= 0) return fail('code', `a national ID has only digits; character ${bad + 1} is "${input[bad]}"`);
  const centre = input.slice(0, 8);
  const province = centre.slice(0, 2);
  const industry = input.slice(8, 10);
  const type = input.slice(10, 13);
  const network = input.slice(13, 14);
  const serial = input.slice(14, 20);
  const provinceName = PROVINCES[province];
  if (!provinceName) return fail('centre', `centre code ${centre}: ${province} is not a province code of GB/T 2260`);
  const industryName = INDUSTRIES[industry];
  if (!industryName) return fail('industry', `industry code ${industry} is not a GB/T 28181 industry code`);
  const typeInfo = DEVICE_TYPES[type];
  if (!typeInfo) return fail('type', `type code ${type} is not a GB/T 28181 device type`);
  const networkName = NETWORKS[network];
  if (!networkName) return fail('network', `network id ${network} is reserved in GB/T 28181`);
  return {
    ok: true,
    id: {
      code: input,
      centre,
      divisionCode: centre.slice(0, 6),
      province,
      provinceName,
      industry,
      industryName,
      type,
      typeName: { zh: typeInfo.zh, en: typeInfo.en },
      typeClass: typeInfo.class,
      network,
      networkName,
      serial,
      domain: input.slice(0, 10),
    },
  };
}

const CAMERA_TYPES = new Set(['131', '132']);
const RECORDER_TYPES = new Set(['111', '118', '130']);
const GROUP_TYPES = new Set(['215', '216']);

/** 131 camera, 132 IP camera. Accepts a type code or a whole national ID. */
export function isCameraType(typeOrId: string): boolean {
  return CAMERA_TYPES.has(typeCode(typeOrId));
}

/** 111 DVR, 118 NVR, 130 HVR. */
export function isRecorderType(typeOrId: string): boolean {
  return RECORDER_TYPES.has(typeCode(typeOrId));
}

/** 215 business group, 216 virtual organisation: the nodes of a catalogue tree. */
export function isGroupType(typeOrId: string): boolean {
  return GROUP_TYPES.has(typeCode(typeOrId));
}

/** 200: a platform's central signalling server, the ID a platform registers with. */
export function isPlatformType(typeOrId: string): boolean {
  return typeCode(typeOrId) === '200';
}

function typeCode(typeOrId: string): string {
  return typeOrId.length === 20 ? typeOrId.slice(10, 13) : typeOrId;
}

export interface NationalIdParts {
  centre: string;
  industry?: string;
  type: string;
  network?: string;
  serial: string | number;
}

/** Builds a valid ID (for tests, simulators and benchmarks); invalid parts are a VALIDATION_FAILED error. */
export function makeNationalId(parts: NationalIdParts): string {
  const serial = typeof parts.serial === 'number' ? String(parts.serial).padStart(6, '0') : parts.serial;
  const code = `${parts.centre}${parts.industry ?? '00'}${parts.type}${parts.network ?? '0'}${serial}`;
  const checks: [string, number, NationalIdField][] = [
    [parts.centre, 8, 'centre'],
    [parts.industry ?? '00', 2, 'industry'],
    [parts.type, 3, 'type'],
    [parts.network ?? '0', 1, 'network'],
    [serial, 6, 'serial'],
  ];
  for (const [value, digits, field] of checks) {
    if (!new RegExp(`^\\d{${digits}}$`).test(value)) {
      throw Errors.validation(`${field} must be ${digits} digits, got "${value}"`, [{ path: field, message: `expected ${digits} digits` }]);
    }
  }
  const parsed = parseNationalId(code);
  if (!parsed.ok) throw Errors.validation(parsed.reason, [{ path: parsed.field, message: parsed.reason }]);
  return code;
}
