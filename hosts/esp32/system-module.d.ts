// The SDK's io/system module is built into every ESP32 app under the name "system" (its io manifest);
// its typing declares it as "embedded:io/system". This names the same typing under the name the build
// uses; it declares nothing of its own.

declare module "system" {
  import System from "embedded:io/system";
  export default System;
}
