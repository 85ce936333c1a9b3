// The first record of a real `PUT /api/v1/dolphin/models` response (ModelScope, 2025-11; provenance in
// /work/shared/samples/modelscope/SOURCE.md, copied byte-for-byte as JSON but for its four identical empty deployment
// entries, built by one function). The simulator clones it and overwrites the fields it models, so every simulated
// record keeps the real 96-key shape and key order even for fields we do not simulate (a parser written against the
// simulator then also survives the real payload).
/** One deployment framework's entry in `OpenAiSwingDeployInfo`: the real record has four, all this same empty shape. */
function noDeployScripts(): Record<string, unknown> {
  const none = () => ({ Script: '', requirements: '' });
  return { eas: none(), ens: none(), fc: none(), image_tag: '' };
}

export const MS_RECORD_TEMPLATE: Readonly<Record<string, unknown>> = Object.freeze(
{
 "AigcAttributes": "{\"OfficialTags\": [\"photography\", \"character-enhancement\", \"woman\"]}",
 "AigcIsTop": 0,
 "AigcType": "LoRA",
 "AlreadyStar": false,
 "ApplyMeta": "{}",
 "ApprovalMode": 1,
 "ApprovalNotifyEmail": "",
 "Architectures": [],
 "Avatar": "https://img.alicdn.com/imgextra/i1/O1CN01yhHrHg1Pdl3UKPhGc_!!6000000001864-2-tps-88-88.png",
 "Backbone": [],
 "BackendSupport": {
  "architectures": null,
  "backend_info": {
   "deploy_task": null,
   "lmdeploy": null,
   "lmdeploy_turbomind": null,
   "vllm": null
  },
  "model_id": "DiffSynth-Studio/Qwen-Image-Edit-F2P"
 },
 "BaseModel": [
  "Qwen/Qwen-Image-Edit"
 ],
 "BaseModelRelation": "adapter",
 "CardReady": 0,
 "CardUnreadyReason": "",
 "CertificationCreateBy": "",
 "CertificationCreatedTime": -62135596800,
 "ChineseName": "Qwen-Image-Edit-F2P 人脸生成图像",
 "CoverImages": [],
 "CreatedBy": "Artiprocher",
 "CreatedTime": 1760583023,
 "DashSdkParameter": "",
 "Datasets": {},
 "DemoAvailable": 0,
 "DemoUnavailableReason": "",
 "Description": "",
 "Domain": [],
 "Downloads": 2038,
 "ExampleCodeAvailable": 0,
 "ExampleCodeUnavailableReason": "",
 "ForbiddenVisibilityUpdate": false,
 "Frameworks": [
  "Pytorch"
 ],
 "FromSite": "maas",
 "Id": 581440,
 "Integrating": 0,
 "IntegrationFailureLog": "",
 "IntegrationFailureReason": "",
 "IsAccessible": 1,
 "IsCertification": 4,
 "IsHot": 0,
 "IsNewModel": true,
 "IsOnline": 1,
 "IsPreTrain": 0,
 "IsPublished": 1,
 "IsTop": 13,
 "Language": [],
 "LastUpdatedTime": 1760696097,
 "Libraries": [
  "pytorch",
  "lora",
  "safetensors"
 ],
 "License": "Apache License 2.0",
 "Meta": "",
 "Metrics": [],
 "ModelDetail": {},
 "ModelInfos": {
  "safetensor": {
   "chat_template": "",
   "files": [
    {
     "name": "model.safetensors",
     "sha256": "3eaec9705c770f3453a802ff317f5095c806cc27b069b760015f71bd26179f2e",
     "size": 472047152
    }
   ],
   "model_size": 235929600,
   "tensor_type": [
    "BF16"
   ]
  }
 },
 "ModelRevisions": null,
 "ModelSource": "",
 "ModelTools": "",
 "ModelType": [],
 "MuseInfo": {
  "genImageCount": 3597,
  "groupType": "ROOT",
  "isStar": null,
  "model": {
   "cleaned": 0,
   "commentCount": 0,
   "deleted": 0,
   "description": "",
   "downloadedCount": 322,
   "favoriteCount": 0,
   "gmtCreate": 1760584399000,
   "gmtModified": 1762255609000,
   "id": 72866,
   "imageGenerateCount": 3597,
   "imageId": null,
   "modelName": "DiffSynth-Studio/Qwen-Image-Edit-F2P",
   "modelType": "LoRA",
   "operatorEmpId": "987294",
   "operatorName": "DiffSynth-Studio",
   "showName": "Qwen-Image-Edit-F2P 人脸生成图像",
   "stableDiffusionVersion": "QWEN_IMAGE_20_B",
   "tags": null,
   "versionCount": 1
  },
  "tags": null,
  "uploaderName": "Muse官方团队",
  "versions": [
   {
    "coverImages": [
     {
      "csiJobStatus": null,
      "id": 17007968,
      "url": "https://resouces.modelscope.cn/cover-images/60690951-d47a-48c6-aee8-c6f845de2c75.jpg"
     },
     {
      "csiJobStatus": null,
      "id": 17007969,
      "url": "https://resouces.modelscope.cn/cover-images/9e744feb-5cc6-4c6b-ba3d-fa74573edb90.jpg"
     },
     {
      "csiJobStatus": null,
      "id": 17007970,
      "url": "https://resouces.modelscope.cn/cover-images/1f7f5be8-238d-4d75-858e-f707d92d69b7.jpg"
     },
     {
      "csiJobStatus": null,
      "id": 17007971,
      "url": "https://resouces.modelscope.cn/cover-images/8d59c9df-d3d2-4c34-9b89-4d20e29e5a0f.jpg"
     }
    ],
    "id": 408910,
    "inferenceCompanionVersionInfo": null,
    "modelId": 72866,
    "modelName": null,
    "modelShowName": null,
    "modelType": null,
    "modelVersion": {
     "cleaned": 0,
     "deleted": 0,
     "description": "[\"root\",{},[\"p\",{},[\"span\",{\"data-type\":\"text\"},[\"span\",{\"data-type\":\"leaf\"},\"\"]]]]",
     "downloadCount": 0,
     "format": "safetensors",
     "genImageCount": 3597,
     "gmtCreate": 1760584399000,
     "gmtModified": 1762244020000,
     "id": 408910,
     "imageId": null,
     "inferenceCompanionModelVersionId": null,
     "modelId": 72866,
     "modelUrl": "modelscope://DiffSynth-Studio/Qwen-Image-Edit-F2P?revision=v1",
     "openlmUrl": "modelscope://DiffSynth-Studio/Qwen-Image-Edit-F2P?revision=v1",
     "operatorEmpId": "987294",
     "operatorName": "DiffSynth-Studio",
     "ossUrl": "",
     "panguUrl": "",
     "showName": "v1",
     "sourceUrl": "modelscope://DiffSynth-Studio/Qwen-Image-Edit-F2P?revision=v1",
     "stableDiffusionSubVersion": null,
     "stableDiffusionVersion": "QWEN_IMAGE_20_B",
     "stats": "{\"fileList\":[\"model.safetensors\"],\"fileSizes\":[472047152],\"totalSize\":472047152}",
     "syncStatus": "MUSE_FINISHED",
     "syncTaskId": null,
     "trainRecordId": null,
     "triggerWords": "[]",
     "validateMessage": null,
     "validateStatus": "PENDING",
     "versionName": "v1",
     "versionOrder": 1
    },
    "stableDiffusionSubVersion": null,
    "stableDiffusionVersion": "QWEN_IMAGE_20_B",
    "stats": {
     "fileList": [
      "model.safetensors"
     ],
     "fileSizes": [
      472047152
     ],
     "totalSize": 472047152
    }
   }
  ]
 },
 "NEXA": {
  "Catalogues": null,
  "ModelCover": "",
  "ScientificField": "",
  "Source": "",
  "SubScientificField": null
 },
 "Name": "Qwen-Image-Edit-F2P",
 "NewVersion": "",
 "NickName": "Artiprocher",
 "OfficialTags": [
  {
   "ChineseName": "写实摄影",
   "Name": "Photography",
   "SvgContent": "xieshisheying",
   "Tag": "photography",
   "TagType": "designStyle"
  },
  {
   "ChineseName": "人物加强",
   "Name": "Character Enhancement",
   "SvgContent": "renwujiaqiang",
   "Tag": "character-enhancement",
   "TagType": "modelFunction"
  },
  {
   "ChineseName": "女生",
   "Name": "Woman",
   "SvgContent": "nvsheng",
   "Tag": "woman",
   "TagType": "contentElement"
  }
 ],
 "OpenAiSwingDeployInfo": {
  "Order": 0,
  "Recommend": null,
  "lmdeploy": noDeployScripts(),
  "ollama": noDeployScripts(),
  "pipeline": noDeployScripts(),
  "vllm": noDeployScripts()
 },
 "Organization": {
  "ApplyFailureReason": "",
  "ApplyReason": "",
  "Avatar": "https://resouces.modelscope.cn/avatar/54ebab57-445d-4525-b466-c94af58a899f.png",
  "CreateCompetition": false,
  "CreatedBy": "Artiprocher",
  "Description": "[\"root\",{},[\"p\",{},[\"span\",{\"data-type\":\"text\"},[\"span\",{\"data-type\":\"leaf\"},\"\\\"\\\"\"]]]]",
  "DisplayUrl": "",
  "Email": "",
  "FromSite": "",
  "FullName": "DiffSynth-Studio",
  "GithubAddress": "https://github.com/modelscope/DiffSynth-Studio",
  "GmtCreated": "2024-08-23T03:01:18Z",
  "GmtModified": "2025-07-08T05:43:48Z",
  "Id": 992,
  "InitAdminMembers": "",
  "IsApply": false,
  "IsCertification": "",
  "Mobile": "",
  "Name": "DiffSynth-Studio",
  "Path": "",
  "Roles": null,
  "Status": 0,
  "SubscribeVo": null,
  "Type": 2
 },
 "PaiModelGalleryUrl": null,
 "PaiSdkParameter": null,
 "Path": "DiffSynth-Studio",
 "ProtectedMode": 2,
 "ReadMeContent": "",
 "ReadMeTips": null,
 "RelatedArxivId": [],
 "RelatedPaper": [],
 "Revision": "master",
 "Stars": 55,
 "Studios": [],
 "SupportApiInference": false,
 "SupportDashDeployment": 0,
 "SupportDashInference": 0,
 "SupportDashTraining": 0,
 "SupportDeployment": 0,
 "SupportExperience": 1,
 "SupportFinetuning": 0,
 "SupportFlexTrain": 0,
 "SupportInference": "txt2img",
 "SupportPaiModelGallery": null,
 "SupportPaiSdk": 0,
 "SwingDeployInfo": null,
 "Tags": [
  "LoRA"
 ],
 "Tasks": [
  {
   "ChineseName": "文本生成图片",
   "Description": "",
   "DomainName": "multi-modal",
   "Id": 3,
   "IsExhibition": true,
   "IsHot": 0,
   "IsLeaf": true,
   "IsLoginRequired": true,
   "IsRetrieval": true,
   "Level": 1,
   "Name": "text-to-image-synthesis",
   "ParentId": -1,
   "ParentTask": null,
   "Sorting": 0,
   "SupportWidgets": true,
   "TypicalModel": "",
   "WidgetConfig": "{\"task\": \"text-to-image-synthesis\", \"inputs\": [{\"type\": \"text\", \"displayType\": \"OnlyTextArea\", \"displayProps\": {\"size\": \"small\"}}], \"output\": {\"displayType\": \"ReadonlyImageList\", \"transformOutputs\": [{\"outputKey\": \"output_imgs\"}], \"displayOutputMapping\": \"output_imgs\"}, \"examples\": []}",
   "WidgetValidator": ""
  }
 ],
 "Tools": [],
 "TriggerWords": [
  "摄影"
 ],
 "Visibility": 5,
 "VisionFoundation": "QWEN_IMAGE_20_B",
 "_": null,
 "widgets": []
});
